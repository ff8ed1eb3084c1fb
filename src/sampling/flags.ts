/** Flags several methods share: the fine solver, the coarse jump, the convergence tolerance. */
import { JUMP_NAMES, getJump, type Jump } from '../solvers/jump.ts';
import { SOLVERS, SOLVER_NAMES, getSolver } from '../solvers/registry.ts';
import type { Solver } from '../solvers/solver.ts';
import type { FlagReader, FlagSpec } from './method.ts';
import { capableSolver, choice, num } from '../names.ts';

export const FINE_FLAG: FlagSpec = {
  type: 'string',
  default: 'euler',
  help: `fine solver: ${SOLVER_NAMES.join(' | ')}`,
  rule: choice(SOLVER_NAMES),
};
export const COARSE_FLAG: FlagSpec = {
  type: 'string',
  default: 'euler',
  help: `coarse jump: ${JUMP_NAMES.join(' | ')}`,
  rule: choice(JUMP_NAMES),
};
export const TOLERANCE_FLAG: FlagSpec = {
  type: 'string',
  default: '0.1',
  help: 'converged when RMS change <= tolerance * sigma(t) of the step',
  rule: num(0, 1e9),
};

/** The fine solver named by --fine-solver, if it has the capability `ok` (listing the solvers that do). */
export function readFine(read: FlagReader, ok: (s: Solver) => boolean = () => true, needs = ''): Solver {
  const solver = getSolver(read.choice('fine-solver', SOLVER_NAMES));
  if (!ok(solver)) capableSolver('fine-solver', solver.name, fineRule(ok, needs).allowed, needs);
  return solver;
}

/** The rule of --fine-solver for a method that needs the capability `ok` (as data: the solvers that have it). */
export function fineRule(ok: (s: Solver) => boolean, needs: string) {
  return { kind: 'solver' as const, allowed: SOLVER_NAMES.filter((s) => ok(SOLVERS[s])), needs };
}

export const readCoarse = (read: FlagReader): Jump => getJump(read.choice('coarse', JUMP_NAMES));

export const readTolerance = (read: FlagReader): number => read.num('tolerance', 0, 1e9);
