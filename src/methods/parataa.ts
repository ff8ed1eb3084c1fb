/** ParaTAA (Tang et al., ICML 2024): Picard over the whole base solver with triangular Anderson acceleration. */
import type { SamplingTask } from '../sampling/task.ts';
import { runPicard, type PicardOptions, type PicardResult } from './picard.ts';

export type ParataaOptions = Omit<PicardOptions, 'anderson'>;

/**
 * runPicard with anderson: true and, unless asked for, without the secant sweep (ParaTAA as described); the same
 * tolerance-0 fixed point (sample() bit for bit).
 */
export async function runParataa(task: SamplingTask, options: ParataaOptions = {}): Promise<PicardResult> {
  if (options && 'anderson' in options)
    throw new Error('parataa: anderson is always on here; allowed: leave it out (runPicard runs without it)');
  return runPicard(task, { secant: false, ...options, anderson: true });
}
