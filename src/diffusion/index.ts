export * from './schedule.ts';
export * from './grid.ts';
export * from './prediction.ts';
export * from './denoiser.ts';
