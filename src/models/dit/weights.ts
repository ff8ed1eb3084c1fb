/** Saving and loading DiT weights in the tfjs weights format: model.json (manifest) + weights.bin, from a path. */
import * as tf from '@tensorflow/tfjs';
import { checkShapes, loadWeights, readWeightsMeta, saveWeights } from '../weights-io.ts';
import { paramShapes, validateDiTConfig, type DiTConfig } from './config.ts';
import type { DiTParams } from './model.ts';

const FORMAT = 'chords-ts-dit';
interface DiTMeta {
  config: DiTConfig;
  training?: Record<string, unknown>;
}

/** Writes model.json and weights.bin into dir; `training` records preset, data seed, steps, final loss, ... */
export const saveDiT = (
  dir: string,
  config: DiTConfig,
  params: DiTParams,
  training?: Record<string, unknown>,
): Promise<void> =>
  saveWeights<DiTMeta>(
    dir,
    FORMAT,
    { config, training },
    paramShapes(config).map(([name]) => ({ name, tensor: params[name] })),
  );

/** The configuration of a saved DiT, read from its model.json alone (no weights are read), checked. */
export function loadDiTConfig(path: string): DiTConfig {
  const meta = readWeightsMeta<DiTMeta>(path, FORMAT);
  try {
    if (typeof meta?.config !== 'object' || meta.config === null) throw new Error('no config in its meta');
    validateDiTConfig(meta.config);
  } catch (e) {
    throw new Error(`dit weights: '${path}': ${(e as Error).message}`);
  }
  return meta.config;
}

/** Reads a DiT from a directory or model.json path; checks every parameter's shape. */
export function loadDiT(path: string): { config: DiTConfig; params: DiTParams; training?: Record<string, unknown> } {
  const { meta, tensors } = loadWeights<DiTMeta>(path, FORMAT);
  try {
    if (typeof meta?.config !== 'object' || meta.config === null) throw new Error('no config in its meta');
    validateDiTConfig(meta.config);
  } catch (e) {
    tf.dispose(Object.values(tensors));
    throw new Error(`dit weights: '${path}': ${(e as Error).message}`);
  }
  checkShapes(tensors, paramShapes(meta.config), `dit weights '${path}'`);
  return { config: meta.config, params: tensors, training: meta.training };
}
