/**
 * The CHORDS node store: every tensor the driver keeps between rounds, typed by what it is. x(core, i)
 * is a core's state at fine index i (owned by the store); e(core, i, stage) is a stage evaluation
 * there, with the ownership the trajectory helper gave it. The plan says when each item goes.
 */
import type * as tf from '@tensorflow/tfjs';
import { releaseStage, type Stage } from '../solvers/trajectory.ts';
import type { PlanNode, StoreItem } from './plan.ts';

export class NodeStore {
  private readonly xs = new Map<number, tf.Tensor>();
  private readonly es = new Map<number, Stage[]>();

  /** T is the number of fine steps (indices 0..T). */
  constructor(private readonly T: number) {}

  private id(core: number, i: number): number {
    return core * (this.T + 1) + i;
  }

  /** Stores x(core, i); the store owns it. */
  setX(core: number, i: number, x: tf.Tensor): void {
    this.xs.set(this.id(core, i), x);
  }

  /** x(core, i) (borrowed). */
  x(core: number, i: number): tf.Tensor {
    const x = this.xs.get(this.id(core, i));
    if (!x) throw new Error(`chords store: no x at core ${core}, step ${i}`);
    return x;
  }

  /** Records the next stage evaluation of the step from x(core, i). */
  addStage(core: number, i: number, stage: Stage): void {
    const key = this.id(core, i);
    const list = this.es.get(key) ?? [];
    list.push(stage);
    this.es.set(key, list);
  }

  /** The stage evaluations of the step from x(core, i) so far, in stage order. */
  stages(core: number, i: number): readonly Stage[] {
    return this.es.get(this.id(core, i)) ?? [];
  }

  /** Stage 0 at a node: the evaluated point x(node) with its model output (what coarse jumps start from). */
  first(node: PlanNode): Stage {
    const s = this.stages(node.core, node.i)[0];
    if (!s) throw new Error(`chords store: core ${node.core}, step ${node.i} was not evaluated`);
    return s;
  }

  /** Frees one item the plan no longer needs. */
  release(it: StoreItem): void {
    const key = this.id(it.core, it.i);
    if (it.kind === 'x') {
      this.xs.get(key)?.dispose();
      this.xs.delete(key);
      return;
    }
    const list = this.es.get(key);
    const s = list?.[it.stage];
    if (!list || !s) return;
    releaseStage(s);
    delete list[it.stage];
    if (list.every((e) => e === undefined)) this.es.delete(key);
  }

  /** Frees everything still stored. */
  dispose(): void {
    for (const x of this.xs.values()) x.dispose();
    for (const list of this.es.values()) for (const s of list) if (s) releaseStage(s);
    this.xs.clear();
    this.es.clear();
  }
}
