/** ParaTAA (Tang et al., ICML 2024): Picard over the whole base solver with triangular Anderson acceleration. */
import type { SamplingTask } from '../sampling/task.ts';
import { checkKeys, requireOptions } from '../options.ts';
import { PICARD_KEYS, runPicard, type PicardOptions, type PicardResult } from './picard.ts';

export type ParataaOptions = Omit<PicardOptions, 'anderson'>;

/**
 * runPicard with anderson: true and, unless asked for, without the secant sweep (ParaTAA as described); the same
 * tolerance-0 fixed point (sample() bit for bit).
 */
const PARATAA_KEYS: Record<keyof ParataaOptions, true> = (({ anderson: _, ...rest }) => rest)(PICARD_KEYS);

export async function runParataa(task: SamplingTask, options: ParataaOptions = {}): Promise<PicardResult> {
  requireOptions('parataa', options);
  if ((options as PicardOptions).anderson !== undefined)
    throw new Error('parataa: anderson is always on here; allowed: leave it out (runPicard runs without it)');
  checkKeys('parataa', options, PARATAA_KEYS);
  return runPicard(task, { secant: false, ...options, anderson: true });
}
