/** Solvers by name, each declaring its order and model calls per step (torchdiffeq's SOLVERS). */
import { dpm2, dpm3 } from './dpm-solver.ts';
import { dpmpp2m, dpmpp3m } from './dpm-solver-pp.ts';
import { ddim, euler } from './euler.ts';
import { heun } from './heun.ts';
import type { Solver } from './solver.ts';
import { SOLVER_NAMES, type SolverName } from '../names.ts';

export const SOLVERS = {
  euler,
  heun,
  ddim,
  dpm2,
  dpm3,
  'dpmpp-2m': dpmpp2m,
  'dpmpp-3m': dpmpp3m,
} as const satisfies Record<SolverName, Solver>;
export { SOLVER_NAMES, type SolverName };

/** A solver by name; unknown names are an error listing the allowed ones. */
export function getSolver(name: string): Solver {
  const s = SOLVERS[name as SolverName];
  if (!s) throw new Error(`solver: unknown solver '${name}'; allowed: ${SOLVER_NAMES.join(', ')}`);
  return s;
}

/**
 * `s` itself when it is a Solver; a solver's name or anything else is a clear error naming the argument (plain
 * JavaScript callers pass 'euler' where the types ask for SOLVERS.euler).
 */
export function requireSolver(arg: string, s: unknown): Solver {
  const ok =
    typeof s === 'object' &&
    s !== null &&
    ['init', 'calls', 'stage', 'finish'].every((k) => typeof (s as Record<string, unknown>)[k] === 'function');
  if (ok) return s as Solver;
  const named = typeof s === 'string' && (SOLVER_NAMES as readonly string[]).includes(s);
  const eg = named ? s : 'euler';
  throw new Error(
    `${arg}: got ${typeof s === 'string' ? `'${s}'` : s === null ? 'null' : typeof s}${named ? ' (a name)' : ''}; ` +
      'allowed: a Solver ' +
      `object, e.g. SOLVERS['${eg}'] or getSolver('${eg}') (${SOLVER_NAMES.join(', ')})`,
  );
}
