/**
 * Picks and initialises the tfjs backend: `tensorflow` (tfjs-node-gpu / tfjs-node) if installed, else `wasm`,
 * else `cpu`; `webgpu` (Dawn's Node bindings, on Vulkan) only when asked for.
 */
import { checkKeys, shown } from './options.ts';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { BACKENDS, parseBackend, type BackendChoice } from './names.ts';

export { BACKENDS, parseBackend, type BackendChoice };

/** The optional native packages that register the `tensorflow` backend, tried in this order. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** The optional packages of the `webgpu` backend, at the versions package.json pins. */
export const WEBGPU_PACKAGES = { dawn: 'webgpu', tfjs: '@tensorflow/tfjs-backend-webgpu' } as const;
const WEBGPU_VERSIONS = { dawn: '0.6.2', tfjs: '4.22.0' } as const;
const WEBGPU_INSTALL =
  `npm install ${WEBGPU_PACKAGES.dawn}@${WEBGPU_VERSIONS.dawn} ` + `${WEBGPU_PACKAGES.tfjs}@${WEBGPU_VERSIONS.tfjs}`;

/** The GPU adapter behind the `webgpu` backend, as WebGPU's GPUAdapterInfo reports it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface BackendInfo {
  /** The backend in use. */
  name: 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';
  /** Why each preferred backend was skipped (auto mode only): name -> reason. */
  skipped: Record<string, string>;
  /** The GPU adapter (webgpu only). */
  adapter?: AdapterInfo;
}

export interface WebGPUOptions {
  /** Dawn adapter-name filter (a substring of the adapter name); default `CHORDS_WEBGPU_ADAPTER`, else Dawn's pick. */
  adapter?: string;
  /** Package names (tests point these at missing modules). */
  packages?: { dawn: string; tfjs: string };
  /** The Vulkan loader probed on Linux before Dawn starts (tests name a missing one). */
  vulkanLoader?: string;
}

export interface BackendOptions {
  /** Backend to use; default: `CHORDS_BACKEND` from the environment, else `auto`. */
  backend?: string;
  /** Native packages to try for `tensorflow` (tests point this at a missing module). */
  nativePackages?: readonly string[];
  /** How to load `webgpu`. */
  webgpu?: WebGPUOptions;
}

function firstLine(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ?? String(err.message ?? e).split('\n')[0];
}

/** A multi-line native message as one line. */
function oneLine(e: unknown): string {
  const err = e as { message?: string };
  return String(err.message ?? e)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ')
    .replace(/:; /g, ': ');
}

async function loadNative(packages: readonly string[]): Promise<string | undefined> {
  const reasons: string[] = [];
  for (const pkg of packages) {
    try {
      await import(pkg);
      if (tf.findBackendFactory('tensorflow')) return undefined;
      reasons.push(`${pkg}: loaded but registered no 'tensorflow' backend`);
    } catch (e) {
      reasons.push(`${pkg}: ${firstLine(e)}`);
    }
  }
  return reasons.join('; ');
}

/** The parts of dawn.node's GPUAdapter that we use. */
interface DawnAdapter {
  info: AdapterInfo;
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(descriptor: object): Promise<unknown>;
}
interface DawnGpu {
  requestAdapter(options?: object): Promise<DawnAdapter | null>;
}

let webgpuState: { key: string; adapter: AdapterInfo } | undefined;
let lastInfo: BackendInfo | undefined;

/** The backend that the last successful initBackend set up (with its adapter on webgpu), if any. */
export function currentBackend(): BackendInfo | undefined {
  return lastInfo;
}

/** One line naming the backend and, on webgpu, its adapter: `webgpu (mesa, software: llvmpipe ...)`. */
export function describeBackend(info: BackendInfo): string {
  if (typeof info !== 'object' || info === null)
    throw new Error(`describeBackend: got ${shown(info)}; allowed: what initBackend() resolved to (await it first)`);
  const a = info.adapter;
  return a ? `${info.name} (${[a.vendor, a.architecture].filter(Boolean).join(', ')}: ${a.description})` : info.name;
}

/** `linux` needs libvulkan (Dawn dlopens it); returns why it cannot be loaded, or undefined. */
function probeVulkan(loader: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, loader);
  } catch (e) {
    const msg = String((e as Error).message ?? e).split('\n')[0];
    // A plain shared library loads, then fails Node's addon check: that means it was found.
    return /did not self-register/.test(msg) ? undefined : msg;
  }
  return undefined;
}

/**
 * Registers tfjs's `webgpu` backend on a Dawn adapter (once per adapter choice) and returns the adapter.
 * Each failure is its own one-line error: package missing, no Vulkan loader, no adapter.
 */
async function registerWebGPU(o: WebGPUOptions): Promise<AdapterInfo> {
  const packages = o.packages ?? WEBGPU_PACKAGES;
  const filter = o.adapter ?? process.env.CHORDS_WEBGPU_ADAPTER;
  const loader = o.vulkanLoader ?? 'libvulkan.so.1';
  const key = JSON.stringify([packages, filter, loader]);
  if (webgpuState?.key === key && tf.findBackendFactory('webgpu')) return webgpuState.adapter;
  const other = `or choose one of: wasm, cpu`;
  let dawn: { create(flags: string[]): DawnGpu; globals: Record<string, unknown> };
  let tfjsWebgpu: { WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend };
  try {
    dawn = await import(packages.dawn);
    tfjsWebgpu = await import(packages.tfjs);
  } catch (e) {
    throw new Error(
      `backend: 'webgpu' needs the optional packages ${packages.dawn} and ${packages.tfjs} (${firstLine(e)}); ` +
        `install them with '${WEBGPU_INSTALL}', ${other}`,
    );
  }
  const noLoader = probeVulkan(loader);
  if (noLoader !== undefined)
    throw new Error(
      `backend: 'webgpu' needs the Vulkan loader ${loader} (${noLoader}); install it (Debian/Ubuntu: ` +
        `apt-get install libvulkan1) with your GPU's Vulkan driver, ${other}`,
    );
  const gpu = dawn.create(filter ? [`adapter=${filter}`] : []);
  let adapter: DawnAdapter | null = null;
  let why = 'Dawn returned no adapter';
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    why = oneLine(e);
  }
  if (!adapter)
    throw new Error(
      `backend: 'webgpu' found no GPU adapter${filter ? ` matching '${filter}'` : ''} (${why}); install your GPU's ` +
        `Vulkan driver (NVIDIA: the driver's nvidia_icd.json; AMD, Intel or no GPU: mesa-vulkan-drivers, Mesa >= 24 ` +
        `for lavapipe), check VK_DRIVER_FILES, ${other}`,
    );
  const a = adapter;
  const info: AdapterInfo = {
    vendor: a.info.vendor,
    architecture: a.info.architecture,
    device: a.info.device,
    description: a.info.description,
  };
  // tfjs's webgpu backend reads the WebGPU constants (GPUBufferUsage, ...) and navigator.gpu from the globals.
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  // The same device request as tfjs-backend-webgpu's own factory: its optional features, the adapter's limits.
  const limits = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  let device: unknown;
  try {
    device = await a.requestDevice({
      requiredFeatures: ['timestamp-query', 'bgra8unorm-storage'].filter((f) => a.features.has(f)),
      requiredLimits: Object.fromEntries(limits.map((n) => [n, a.limits[n]])),
    });
  } catch (e) {
    throw new Error(`backend: 'webgpu' could not open a device on ${info.description} (${oneLine(e)}), ${other}`);
  }
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new tfjsWebgpu.WebGPUBackend(device, a.info));
  webgpuState = { key, adapter: info };
  return info;
}

/**
 * Initialises tfjs. `auto` tries tensorflow, then wasm, then cpu and reports why each was skipped;
 * a forced backend that cannot load is an error, never a silent fallback. `webgpu` is never tried by `auto`.
 */
const BACKEND_KEYS: Record<keyof BackendOptions, true> = { backend: true, nativePackages: true, webgpu: true };

export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  if (typeof options !== 'object' || options === null)
    throw new Error(
      `initBackend: got ${JSON.stringify(options)}; allowed: an options object such as { backend: 'cpu' }`,
    );
  checkKeys('initBackend', options, BACKEND_KEYS);
  const choice = parseBackend(options.backend ?? process.env.CHORDS_BACKEND ?? 'auto');
  const packages = options.nativePackages ?? NATIVE_PACKAGES;
  const skipped: Record<string, string> = {};
  const order = choice === 'auto' ? (['tensorflow', 'wasm', 'cpu'] as const) : [choice];
  for (const name of order) {
    let adapter: AdapterInfo | undefined;
    if (name === 'webgpu') adapter = await registerWebGPU(options.webgpu ?? {});
    if (name === 'tensorflow' && !tf.findBackendFactory('tensorflow')) {
      const why = await loadNative(packages);
      if (why !== undefined) {
        if (choice === 'tensorflow')
          throw new Error(
            `backend: 'tensorflow' was requested but could not be loaded (${why}). ` +
              `Install @tensorflow/tfjs-node-gpu@4.22.0 (CUDA 11.2 + cuDNN 8.1) or choose one of: wasm, cpu, webgpu`,
          );
        skipped.tensorflow = why;
        continue;
      }
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      skipped[name] = firstLine(e);
    }
    if (ok) {
      await tf.ready();
      lastInfo = { name, skipped, ...(adapter ? { adapter } : {}) };
      return lastInfo;
    }
    skipped[name] ??= 'setBackend returned false';
    if (choice !== 'auto')
      throw new Error(`backend: '${name}' was requested but failed to initialise (${skipped[name]})`);
  }
  throw new Error(`backend: no tfjs backend could be initialised (${JSON.stringify(skipped)})`);
}
