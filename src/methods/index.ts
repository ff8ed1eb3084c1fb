export * from './sequential.ts';
export * from './paradigms.ts';
export * from './srds.ts';
export * from './tolerance.ts';
export * from './srds-pipelined.ts';
export * from './srds-method.ts';
