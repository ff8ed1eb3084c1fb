export * from './executor.ts';
export * from './protocol.ts';
export * from './pool.ts';
export * from './workers.ts';
export * from './processes.ts';
export * from './warmup.ts';
