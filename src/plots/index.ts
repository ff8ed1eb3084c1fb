export * from './grid.ts';
export * from './render.ts';
export * from './specs.ts';
export * from './results.ts';
