import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { serialExecutor } from '../src/executors/index.ts';
import { mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, sample } from '../src/solvers/index.ts';
import { Trajectory } from '../src/solvers/trajectory.ts';
import { noLeak, throwsWith } from './helpers.ts';

const schedule = getSchedule('flow');
const model = mixtureModel(schedule, randomMixture({ dim: 4, components: 3, seed: 2 }));
const grid = timeGrid(schedule, { steps: 7 });

/** Drives one trajectory to the end of the grid, one stage per executor round. */
async function drive(path: Trajectory, evaluate = serialExecutor(model).evaluate): Promise<tf.Tensor> {
  while (path.i + 1 < grid.length) {
    const { outputs } = await evaluate([path.request()]);
    path.receive(outputs[0]);
    if (path.ready) path.finish();
  }
  return path.take();
}

test(
  'a trajectory through an executor equals sample() bit for bit, for every solver, and frees all it ' + 'made',
  async () => {
    const x = tf.tensor2d(Float32Array.from(normals(8, 3)), [2, 4]);
    for (const [name, solver] of Object.entries(SOLVERS)) {
      const want = sample(solver, model, x, grid);
      const got = await noLeak(async () => {
        const out = await drive(new Trajectory(solver, model, grid, { x, i: 0 }));
        const v = out.dataSync();
        out.dispose();
        return v;
      });
      assert.equal(Array.from(got), Array.from(want.x.dataSync()), name);
      want.x.dispose();
    }
    x.dispose();
  },
);

test('borrowed points and outputs stay the caller’s; a failed round frees the pending stage point', async () => {
  const x = tf.tensor2d(Float32Array.from(normals(8, 4)), [2, 4]);
  // borrowed first output (SRDS and CHORDS hand over an output computed elsewhere)
  await noLeak(async () => {
    const path = new Trajectory(SOLVERS.heun, model, grid, { x, i: 0 });
    const { outputs } = await serialExecutor(model).evaluate([path.request()]);
    path.receive(outputs[0], { borrowed: true });
    const out = await drive(path);
    assert.ok(!outputs[0].isDisposed && !x.isDisposed, 'borrowed tensors survive');
    tf.dispose([out, outputs[0]]);
  });
  // an executor that fails at the second stage: the stage point made by solver.stage is freed by dispose
  await noLeak(async () => {
    const path = new Trajectory(SOLVERS.heun, model, grid, { x: tf.clone(x), i: 0, owned: true });
    let calls = 0;
    const failing = async (r: Parameters<ReturnType<typeof serialExecutor>['evaluate']>[0]) => {
      if (++calls === 2) throw new Error('model failed');
      return serialExecutor(model).evaluate(r);
    };
    await throwsWith(async () => {
      try {
        await drive(path, failing);
      } finally {
        path.dispose();
      }
    }, /model failed/);
    assert.is(calls, 2);
  });
  // protocol misuse is a clear error
  const path = new Trajectory(SOLVERS.euler, model, grid, { x, i: 0 });
  await throwsWith(() => path.finish(), /before all 1 stages/);
  await throwsWith(() => path.receive(x), /without request/);
  await throwsWith(() => path.take(), /borrowed/);
  path.dispose();
  assert.ok(!x.isDisposed);
  x.dispose();
});

test.run();
