/** Named tensors in the tfjs weights format: model.json (manifest + metadata) and one binary file, from a path. */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

/** Reads a directory (or its model.json); the format must match. The caller owns the tensors. */
export function loadWeights<M>(path: string, format: string): { meta: M; tensors: Record<string, tf.Tensor> } {
  const file = path.endsWith('.json') ? path : join(path, 'model.json');
  if (!existsSync(file)) throw new Error(`weights: no model.json at '${file}'`);
  const m = JSON.parse(readFileSync(file, 'utf8')) as WeightsFile<M>;
  if (m.format !== format) throw new Error(`weights: '${file}' holds '${m.format}', expected '${format}'`);
  const group = m.weightsManifest[0];
  const buf = readFileSync(join(dirname(file), group.paths[0]));
  return {
    meta: m.meta,
    tensors: tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), group.weights),
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
