export * from './types.ts';
export * from './gaussian.ts';
export * from './mixture.ts';
export * from './linear.ts';
export * from './reference-ode.ts';
