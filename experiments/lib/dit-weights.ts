/**
 * The DiT weights a benchmark uses: the shipped, trained ones if present, else a seeded random DiT-S/2
 * (the same FLOPs).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getDiTConfig, initDiT, saveDiT, shippedDiTPath } from '../../src/models/dit/index.ts';

export async function benchDiTPath(): Promise<{ path: string; trained: boolean }> {
  const shipped = shippedDiTPath();
  if (existsSync(join(shipped, 'model.json'))) return { path: shipped, trained: true };
  const path = 'results/bench-dit-random';
  if (!existsSync(join(path, 'model.json'))) {
    const cfg = getDiTConfig('DiT-S/2'),
      p = initDiT(cfg, 1);
    await saveDiT(path, cfg, p, { note: 'random weights for timing only' });
    tf.dispose(Object.values(p));
  }
  return { path, trained: false };
}
