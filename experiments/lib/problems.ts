/** Problems the experiments run: the Gaussian mixture (exact reference) and the shipped DiT (classifier quality). */
import * as tf from '@tensorflow/tfjs';
import { getSchedule, timeGrid } from '../../src/diffusion/index.ts';
import { loadClassifier, realStats, sampleQuality, type Quality } from '../../src/metrics/index.ts';
import { buildModel, randomMixture, type BuiltModel, type ModelSpec } from '../../src/models/index.ts';
import { shippedDiTPath } from '../../src/models/dit/index.ts';
import { normals } from '../../src/random.ts';

export interface Problem {
  model: 'mixture' | 'dit';
  denoiser: BuiltModel;
  spec: ModelSpec;
  grid: number[];
  x: tf.Tensor;
  n: number;
  /** Float64 reference solution (mixture). */
  reference?: Float64Array;
  /** Classifier accuracy and Frechet distance (dit). */
  quality?: (v: Float32Array) => Quality;
  dispose(): void;
}

export async function mixtureProblem({
  steps,
  seed,
  n = 16,
  dim = 64,
}: {
  steps: number;
  seed: number;
  n?: number;
  dim?: number;
}): Promise<Problem> {
  const spec: ModelSpec = { kind: 'mixture', schedule: 'flow', mixture: randomMixture({ dim, components: 8, seed }) };
  const denoiser = await buildModel(spec),
    grid = timeGrid(getSchedule('flow'), { steps });
  const x = tf.tensor2d(Float32Array.from(normals(n * dim, 1000 + seed)), [n, dim]);
  const reference = (denoiser as unknown as { solve: (x: Float64Array, a: number, b: number) => Float64Array }).solve(
    Float64Array.from(x.dataSync()),
    1,
    0,
  );
  return {
    model: 'mixture',
    denoiser,
    spec,
    grid,
    x,
    n,
    reference,
    dispose: () => {
      x.dispose();
      denoiser.dispose();
    },
  };
}

let classifier: ReturnType<typeof loadClassifier> | undefined;
export async function ditProblem({
  steps,
  seed,
  n = 20,
  guidance = 2,
}: {
  steps: number;
  seed: number;
  n?: number;
  guidance?: number;
}): Promise<Problem> {
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const spec: ModelSpec = { kind: 'dit', path: shippedDiTPath(), labels, guidance };
  const denoiser = await buildModel(spec),
    grid = timeGrid(denoiser.schedule!, { steps });
  const x = tf.tensor4d(Float32Array.from(normals(n * 256, 2000 + seed)), [n, 16, 16, 1]);
  classifier ??= loadClassifier();
  const real = realStats(classifier.params);
  return {
    model: 'dit',
    denoiser,
    spec,
    grid,
    x,
    n,
    quality: (v) => sampleQuality(classifier!.params, v, labels, real),
    dispose: () => {
      x.dispose();
      denoiser.dispose();
    },
  };
}
