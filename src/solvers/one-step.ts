/** Builds a one-call solver from a first-order jump (Euler, DDIM, or a field's own jump). */
import type { Jump } from './jump.ts';
import { emptyState, type Solver } from './solver.ts';

export function jumpSolver(name: string, jump: Jump): Solver {
  return {
    name,
    order: 1,
    callsPerStep: 1,
    multistep: false,
    jump,
    calls: () => 1,
    init: emptyState,
    stage() {
      throw new Error(`${name} has a single stage`);
    },
    finish: (p, { x, t, tNext }, [e]) => ({ x: jump(p, x, e.out, t, tNext), state: emptyState() }),
  };
}
