/** CHORDS stop rules (REFERENCE.md, "Stopping"). The returned sample is always the latest hit. */
import { shown } from '../options.ts';

export type StopRule =
  /** Stop once (number of hits - 1) >= index, checked when a core hits (hit 0 is the coarse shot). */
  | { kind: 'core-index'; index: number }
  /**
   * Stop when the two latest hits differ by less than tol. norm 'reference' is the reference code's
   * ||a - b||_2 / numel (resolution dependent; default tol 4e-4); 'rmse' is sqrt(mean((a - b)^2)).
   */
  | { kind: 'residual'; tol: number; norm?: 'reference' | 'rmse' }
  /** Run to the end: the last hit is core 0, the sequential solver. */
  | { kind: 'complete' };

export function validateStop(stop: StopRule, cores?: number): void {
  if (typeof stop !== 'object' || stop === null)
    throw new Error(
      `stop: got ${shown(stop)}; allowed: { kind: 'complete' }, { kind: 'core-index', index }, ` +
        `{ kind: 'residual', tol, norm? }` +
        (typeof stop === 'string' ? ` (parseStop('${stop}') reads the command line's form)` : ''),
    );
  if (stop.kind === 'core-index') {
    if (!Number.isInteger(stop.index) || stop.index < 0)
      throw new Error(`stop: core-index got ${shown(stop.index)}; allowed: an integer >= 0`);
    // K cores give hits 0 (the coarse shot) to K: a larger index never stops the run
    if (cores !== undefined && stop.index > cores)
      throw new Error(
        `stop: core-index got ${shown(stop.index)}, but ${cores} cores give hits 0 to ${cores} (0: the coarse shot); ` +
          `allowed: core-index:0 to core-index:${cores}, or complete`,
      );
  } else if (stop.kind === 'residual') {
    if (!(stop.tol >= 0) || !Number.isFinite(stop.tol))
      throw new Error(`stop: residual tolerance got ${shown(stop.tol)}; allowed: a finite number >= 0`);
    if (stop.norm && stop.norm !== 'reference' && stop.norm !== 'rmse')
      throw new Error(`stop: residual norm '${stop.norm}'; allowed: reference, rmse`);
  } else if (stop.kind !== 'complete')
    throw new Error(`stop: unknown rule '${(stop as { kind: string }).kind}'; allowed: core-index, residual, complete`);
}

/** Parses 'core-index:1', 'residual:4e-4', 'residual-rmse:1e-3' or 'complete'. */
export function parseStop(text: string): StopRule {
  const [name, arg] = text.split(':');
  const rule: StopRule | undefined =
    name === 'complete' && arg === undefined
      ? { kind: 'complete' }
      : name === 'core-index'
        ? { kind: 'core-index', index: Number(arg) }
        : name === 'residual'
          ? { kind: 'residual', tol: arg === undefined ? 4e-4 : Number(arg), norm: 'reference' }
          : name === 'residual-rmse'
            ? { kind: 'residual', tol: Number(arg), norm: 'rmse' }
            : undefined;
  const allowed = 'allowed: core-index:<i>, residual[:<tol>], residual-rmse:<tol>, complete';
  if (!rule || (arg !== undefined && arg.trim() === '') || text.split(':').length > 2)
    throw new Error(`stop: got '${text}'; ${allowed}`);
  if (arg !== undefined && !Number.isFinite(Number(arg)))
    throw new Error(`stop: got '${text}'; '${arg}' is not a number; ${allowed}`);
  validateStop(rule);
  return rule;
}

/** The residual between two hits under the rule's norm, from their sum of squared differences and size. */
export function residualNorm(sumSquares: number, size: number, norm: 'reference' | 'rmse' = 'reference'): number {
  return norm === 'rmse' ? Math.sqrt(sumSquares / size) : Math.sqrt(sumSquares) / size;
}

/** The text form parseStop reads back. */
export function formatStop(stop: StopRule): string {
  if (stop.kind === 'core-index') return `core-index:${stop.index}`;
  if (stop.kind === 'residual') return `${stop.norm === 'rmse' ? 'residual-rmse' : 'residual'}:${stop.tol}`;
  return 'complete';
}
