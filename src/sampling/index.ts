export * from './task.ts';
export * from './meter.ts';
export * from './method.ts';
export * from './flags.ts';
export * from './registry.ts';
