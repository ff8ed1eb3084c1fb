export * from './analytic/index.ts';
