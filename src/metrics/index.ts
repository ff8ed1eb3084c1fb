export * from './linalg.ts';
export * from './frechet.ts';
export * from './classifier.ts';
export * from './quality.ts';
