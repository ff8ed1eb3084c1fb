export * from './analytic/index.ts';
export * from './dit/index.ts';
export * from './weights-io.ts';
export * from './nn.ts';
export * from './spec.ts';
export * from './tfjs.ts';
