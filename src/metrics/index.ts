export * from './linalg.ts';
export * from './errors.ts';
export * from './frechet.ts';
export * from './classifier.ts';
export * from './quality.ts';
