/** Picks and initialises the tfjs backend: `tensorflow` (tfjs-node-gpu / tfjs-node) if installed, else `wasm`, else `cpu`. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** The optional native packages that register the `tensorflow` backend, tried in this order. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export interface BackendInfo {
  /** The backend in use. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Why each preferred backend was skipped (auto mode only): name -> reason. */
  skipped: Record<string, string>;
}

export interface BackendOptions {
  /** Backend to use; default: `CHORDS_BACKEND` from the environment, else `auto`. */
  backend?: string;
  /** Native packages to try for `tensorflow` (tests point this at a missing module). */
  nativePackages?: readonly string[];
}

function firstLine(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ?? String(err.message ?? e).split('\n')[0];
}

/** Validates a backend name; the error lists the allowed values. */
export function parseBackend(name: string): BackendChoice {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendChoice;
  throw new Error(`backend: unknown backend '${name}'; allowed: ${BACKENDS.join(', ')}`);
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

/**
 * Initialises tfjs. `auto` tries tensorflow, then wasm, then cpu and reports why each was skipped;
 * a forced backend that cannot load is an error, never a silent fallback.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const choice = parseBackend(options.backend ?? process.env.CHORDS_BACKEND ?? 'auto');
  const packages = options.nativePackages ?? NATIVE_PACKAGES;
  const skipped: Record<string, string> = {};
  const order = choice === 'auto' ? (['tensorflow', 'wasm', 'cpu'] as const) : [choice];
  for (const name of order) {
    if (name === 'tensorflow' && !tf.findBackendFactory('tensorflow')) {
      const why = await loadNative(packages);
      if (why !== undefined) {
        if (choice === 'tensorflow')
          throw new Error(
            `backend: 'tensorflow' was requested but could not be loaded (${why}). ` +
              `Install @tensorflow/tfjs-node-gpu@4.22.0 (CUDA 11.2 + cuDNN 8.1) or choose one of: wasm, cpu`,
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
      return { name, skipped };
    }
    skipped[name] ??= 'setBackend returned false';
    if (choice !== 'auto')
      throw new Error(`backend: '${name}' was requested but failed to initialise (${skipped[name]})`);
  }
  throw new Error(`backend: no tfjs backend could be initialised (${JSON.stringify(skipped)})`);
}
