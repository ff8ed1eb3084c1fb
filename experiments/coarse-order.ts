/**
 * coarse-order: is a second-order coarse jump usable in CHORDS with a multistep fine solver? An
 * independent re-implementation of the CHORDS round loop (REFERENCE.md), DPM-Solver++ 2M fine steps
 * with the `shift` history rule, where every coarse jump (spawn and both jumps of a rectification) is
 * either first order (DDIM, the default of the library) or a 2M multistep jump that uses the jumping
 * core's own x0 history at the segment start (stale for a rectified core). Prints every core hit
 * (round: relative RMS error to the float64 reference) on the 64-D mixture (scale 0.3), next to the
 * library's own run with the DDIM jump. Finding: the second-order jump is unstable (errors of order 1
 * and above until the slow cores hit); the first-order jump is the right default.
 *   node --import tsx experiments/coarse-order.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { chords, disposeResult, uniformInit } from '../src/chords/index.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { x0Of, paramCoeffs } from '../src/diffusion/prediction.ts';
import { buildModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { ddimJump, dpmpp2m, type SolverState } from '../src/solvers/index.ts';
import { relativeRmse } from '../src/tensor.ts';
await initBackend();
const sched = getSchedule('flow');
const lam = (t: number) => sched.lambda(t);
type Seen = { x: tf.Tensor; x0: tf.Tensor; prevX0?: tf.Tensor; prevLam?: number };
for (const [T, K, gridKind] of [
  [50, 8, 'uniform'],
  [50, 8, 'logsnr'],
  [40, 4, 'uniform'],
] as const)
  for (const seed of [0, 1, 2]) {
    const mix = { ...randomMixture({ dim: 64, components: 8, seed }), scales: Array(8).fill(0.3) };
    const m = await buildModel({ kind: 'mixture', schedule: 'flow', mixture: mix });
    const x0n = tf.tensor2d(Float32Array.from(normals(16 * 64, 1000 + seed)), [16, 64]);
    const ref = (m as unknown as { solve: (x: Float64Array, a: number, b: number) => Float64Array }).solve(
      Float64Array.from(x0n.dataSync()),
      1,
      0,
    );
    const grid = timeGrid(
      sched,
      gridKind === 'logsnr' ? { steps: T, kind: 'logsnr', nsrMax: Math.exp(4), nsrMin: Math.exp(-4) } : { steps: T },
    );
    const init = uniformInit({ cores: K, steps: T, lastStart: 0.7 });
    const out: string[] = [];
    for (const order of [1, 2]) {
      const jump = (s: Seen, b: number, j: number) =>
        tf.tidy(() => {
          const tb = grid[b],
            tj = grid[j];
          const cb = paramCoeffs(m, tb, 'j'),
            cj = paramCoeffs(m, tj, 'j');
          const h = lam(tj) - lam(tb);
          let D = s.x0;
          if (order === 2 && s.prevX0 && Number.isFinite(h) && s.prevLam! > -1e8) {
            const r = (lam(tb) - s.prevLam!) / h;
            D = tf.add(s.x0, tf.mul(tf.sub(s.x0, s.prevX0), 1 / (2 * r)));
          }
          if (!Number.isFinite(h)) return D.clone();
          return tf.sub(tf.mul(s.x, cj.sigma / cb.sigma), tf.mul(D, cj.alpha * Math.expm1(-h)));
        });
      type Core = {
        k: number;
        i: number;
        x: tf.Tensor;
        b: number;
        done: boolean;
        seen: Map<number, Seen>;
        state: SolverState;
      };
      const cores: Core[] = [{ k: 0, i: 0, x: x0n.clone(), b: 0, done: false, seen: new Map(), state: dpmpp2m.init() }];
      const hits: { round: number; e: number }[] = [];
      for (let round = 1; cores.some((c) => !c.done); round++) {
        const active = cores.filter((c) => !c.done);
        const evs = new Map<number, tf.Tensor>();
        for (const c of active) {
          const o = m.predict(c.x, tf.fill([16], grid[c.i]) as tf.Tensor1D);
          evs.set(c.k, o);
          const h = c.state.history[0];
          c.seen.set(c.i, { x: c.x, x0: x0Of(m, o, c.x, grid[c.i]), prevX0: h?.x0.clone(), prevLam: h?.lambda });
        }
        const newest = cores[cores.length - 1];
        const spawnNow = newest.seen.size === 1 && active.includes(newest);
        for (const c of active) {
          const o = evs.get(c.k)!;
          const f = dpmpp2m.finish(m, { x: c.x, t: grid[c.i], tNext: grid[c.i + 1], state: c.state }, [
            { x: c.x, t: grid[c.i], out: o },
          ]);
          let next = f.x,
            state = f.state;
          const slower = cores[c.k - 1];
          if (c.k > 0 && slower.seen.has(c.b)) {
            const own = c.seen.get(c.b)!,
              prev = slower.seen.get(c.b)!;
            const gO = jump(own, c.b, c.i + 1),
              gP = jump(prev, c.b, c.i + 1);
            next = tf.add(tf.sub(f.x, gO), gP);
            const shift = tf.sub(prev.x0, own.x0);
            state = { history: f.state.history.map((e) => ({ x0: tf.add(e.x0, shift), lambda: e.lambda })) };
            c.b = c.i + 1;
          }
          c.i++;
          c.x = next;
          c.state = state;
          if (c.i === T) {
            c.done = true;
            hits.push({ round, e: relativeRmse(next.dataSync() as Float32Array, ref) });
          }
        }
        if (spawnNow && cores.length < K) {
          const s = newest.seen.get(init[newest.k])!;
          cores.push({
            k: cores.length,
            i: init[cores.length],
            x: jump(s, init[newest.k], init[cores.length]),
            b: init[cores.length],
            done: false,
            seen: new Map(),
            state: dpmpp2m.init(),
          });
        }
      }
      out.push(`order ${order}: ` + hits.map((h) => `${h.round}:${h.e.toExponential(1)}`).join(' '));
    }
    const lib = await chords(m, x0n, grid, { init, fine: dpmpp2m, history: 'shift', coarse: ddimJump });
    console.log(
      `T ${T} K ${K} ${gridKind} seed ${seed} lib(order1): ` +
        lib.hits
          .filter((h) => h.kind === 'core')
          .map((h) => `${h.round}:${relativeRmse(h.x.dataSync() as Float32Array, ref).toExponential(1)}`)
          .join(' '),
    );
    disposeResult(lib);
    for (const o of out) console.log(`T ${T} K ${K} ${gridKind} seed ${seed} ${o}`);
  }
