/** Named tensors in the tfjs weights format: model.json (manifest + metadata) and one binary file, from a path. */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { oneLine } from '../options.ts';

export interface WeightsFile<M> {
  /** What the file holds, checked on load. */
  format: string;
  meta: M;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Writes dir/model.json and dir/weights.bin (dir created if needed). */
export async function saveWeights<M>(
  dir: string,
  format: string,
  meta: M,
  named: { name: string; tensor: tf.Tensor }[],
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(named);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), Buffer.from(data as ArrayBuffer));
  const file: WeightsFile<M> = { format, meta, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(file, null, 1));
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, int16: 2, uint16: 2, float16: 2 };

/** Reads and checks model.json alone (no weights are read): its file name and contents. */
function readManifest<M>(path: string, format: string): { file: string; m: WeightsFile<M> } {
  if (typeof path !== 'string' || path === '')
    throw new Error(`weights: got path ${JSON.stringify(path)}; allowed: a folder or model.json`);
  // a file that is not a .json (README.md, weights.bin) is named as given, not as '<file>/model.json'
  if (!path.endsWith('.json') && existsSync(path) && !statSync(path).isDirectory())
    throw new Error(
      `weights: '${path}' is a file, not a model.json; allowed: a folder holding model.json, or its path`,
    );
  const file = path.endsWith('.json') ? path : join(path, 'model.json');
  if (!existsSync(file)) throw new Error(`weights: no model.json at '${file}'`);
  if (statSync(file).isDirectory()) throw new Error(`weights: '${file}' is a folder, not a model.json file`);
  let m: WeightsFile<M>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as WeightsFile<M>;
  } catch (e) {
    throw new Error(`weights: '${file}' is not valid JSON (${oneLine(e)}); ` + 'truncated or not a weights file');
  }
  if (typeof m !== 'object' || m === null) throw new Error(`weights: '${file}' holds no object`);
  if (m.format !== format)
    throw new Error(
      m.format === undefined
        ? `weights: '${file}' has no "format" field; allowed: a weights file with "format": "${format}"`
        : `weights: '${file}' has "format": '${m.format}'; allowed: '${format}'`,
    );
  return { file, m };
}

/** The metadata of a weights folder (or model.json) without reading its weights; the format must match. */
export const readWeightsMeta = <M>(path: string, format: string): M => readManifest<M>(path, format).m.meta;

/**
 * Reads a directory (or its model.json); the format must match. The caller owns the tensors. A
 * missing or malformed model.json, a missing manifest, a missing, short or long weights file name
 * the file and what is wrong (nothing is allocated before the bytes are checked).
 */
export function loadWeights<M>(path: string, format: string): { meta: M; tensors: Record<string, tf.Tensor> } {
  const { file, m } = readManifest<M>(path, format);
  const groups = m.weightsManifest;
  const bad = (why: string) => new Error(`weights: '${file}': ${why}; allowed: weightsManifest = [{ paths, weights }]`);
  if (!Array.isArray(groups) || groups.length === 0) throw bad('no weightsManifest');
  const specs: tf.io.WeightsManifestEntry[] = [],
    buffers: Buffer[] = [];
  for (const [g, group] of groups.entries()) {
    if (!Array.isArray(group?.paths) || group.paths.length === 0)
      throw bad(`group ${g} lists no weights files (paths)`);
    if (!Array.isArray(group.weights)) throw bad(`group ${g} has no weights list`);
    for (const w of group.weights) {
      if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || !(w.dtype in BYTES) || w.quantization)
        throw bad(`group ${g} has an entry that is not { name, shape, dtype } (${JSON.stringify(w).slice(0, 80)})`);
      specs.push(w);
    }
    for (const p of group.paths) {
      const bin = join(dirname(file), p);
      if (!existsSync(bin)) throw new Error(`weights: '${file}' lists '${p}', but '${bin}' does not exist`);
      buffers.push(readFileSync(bin));
    }
  }
  const need = specs.reduce((a, w) => a + BYTES[w.dtype] * w.shape.reduce((p: number, q: number) => p * q, 1), 0),
    buf = Buffer.concat(buffers);
  if (buf.byteLength !== need)
    throw new Error(
      `weights: the weights of '${file}' have ${buf.byteLength} bytes; its manifest needs ${need} ` +
        `(${buf.byteLength < need ? 'truncated' : 'too long'}, or from another model)`,
    );
  return {
    meta: m.meta,
    tensors: tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs),
  };
}

/** Checks that every expected tensor is present with its shape; frees them all and throws otherwise. */
export function checkShapes(tensors: Record<string, tf.Tensor>, shapes: [string, number[]][], what: string): void {
  for (const [name, shape] of shapes) {
    const t = tensors[name];
    if (!t || t.shape.join(',') !== shape.join(',')) {
      tf.dispose(Object.values(tensors));
      throw new Error(`${what}: parameter '${name}' is ${t ? `[${t.shape}]` : 'missing'}; the config needs [${shape}]`);
    }
  }
}
