/** chords-ts public API: named exports only. */
export * from './backend.ts';
export * from './diffusion/index.ts';
export * from './solvers/index.ts';
export * from './models/index.ts';
export * from './chords/index.ts';
export * from './executors/index.ts';
export { normals, normals32, uniformRng } from './random.ts';
export { rmse, relativeRmse } from './tensor.ts';
export * from './sampling/index.ts';
export * from './methods/index.ts';
export * from './plots/index.ts';
export * from './metrics/index.ts';
export * from './data/index.ts';
