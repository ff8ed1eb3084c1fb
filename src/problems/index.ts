export * from './problem.ts';
export * from './score.ts';
