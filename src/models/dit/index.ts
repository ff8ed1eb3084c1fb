export * from './config.ts';
export * from './layers.ts';
export * from './attention.ts';
export * from './model.ts';
export * from './weights.ts';
export * from './denoiser.ts';
export * from './train.ts';
