export * from './init.ts';
export * from './plan.ts';
export * from './math.ts';
export * from './spawn.ts';
export * from './stop.ts';
export * from './run.ts';
export * from './history.ts';
export * from './search.ts';
