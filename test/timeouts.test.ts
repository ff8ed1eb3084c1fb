/**
 * Pool faults that send no message: a worker that never answers and a SIGSTOPped child process. The round's
 * time-out fails the run naming the member that did not answer; every member is ended; using the pool again
 * says it was closed by an earlier failure.
 */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSequential } from '../src/methods/index.ts';
import { runChords } from '../src/chords/index.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { buildModel, randomMixture, type ModelSpec } from '../src/models/index.ts';
import { processesExecutor, workersExecutor } from '../src/executors/index.ts';
import { DEFAULT_ROUND_TIMEOUT_MS } from '../src/executors/pool.ts';
import { normals } from '../src/random.ts';
import { gone, noLeak, throwsWith } from './helpers.ts';

const spec: ModelSpec = {
  kind: 'mixture',
  schedule: 'flow',
  mixture: randomMixture({ dim: 4, components: 2, seed: 3 }),
};
const grid = timeGrid(getSchedule('flow'), { steps: 6 });

test('a worker that never answers: the round times out naming it; the pool is closed for good', async () => {
  const pool = await workersExecutor({
    spec: { kind: 'faulty', inner: spec, after: 3, fault: 'hang' },
    workers: 2,
    timeoutMs: 1500,
  });
  const model = await buildModel(spec),
    x = tf.tensor2d(Float32Array.from(normals(4, 1)), [1, 4]);
  await noLeak(() =>
    throwsWith(
      () => runChords({ executor: pool, param: model, grid, x }, { init: [0, 3] }),
      /^chords: round \d+, core \d, step \d/,
      /workers: worker \d did not answer the round \(requests \d+\) within 1500 ms/,
      /timeoutMs \(chords: --timeout, seconds\)/,
    ),
  );
  await throwsWith(
    () => runSequential({ executor: pool, param: model, grid, x }),
    /workers: the pool was closed by an earlier failure \(workers: worker \d did not answer/,
    /start a new pool/,
  );
  await pool.close();
  x.dispose();
  model.dispose();
});

test('a SIGSTOPped child: the round times out naming it and its pid; every child is ended', async () => {
  const pool = await processesExecutor({ spec, processes: 2, timeoutMs: 2000 });
  const model = await buildModel(spec),
    x = tf.tensor2d(Float32Array.from(normals(4, 2)), [1, 4]);
  const [first, second] = pool.pids;
  let stopped = false;
  await throwsWith(
    () =>
      runChords(
        { executor: pool, param: model, grid, x },
        {
          init: [0, 3],
          onRound: (r) => {
            if (r.round === 2 && !stopped) {
              process.kill(second, 'SIGSTOP');
              stopped = true;
            }
          },
        },
      ),
    new RegExp(`processes: process 1 \\(pid ${second}\\) did not answer the round \\(requests 1\\) within 2000 ms`),
    /round \d+, core 1/,
  );
  assert.ok(await gone([first, second]), 'both children ended, the stopped one too');
  await throwsWith(() => pool.evaluate([{ x, t: 0.5 }]), /closed by an earlier failure/);
  await pool.close();
  x.dispose();
  model.dispose();
});

test('time-outs: the default is finite and sensible; bad values are refused before anything starts', async () => {
  assert.ok(DEFAULT_ROUND_TIMEOUT_MS >= 10_000 && DEFAULT_ROUND_TIMEOUT_MS <= 600_000);
  await throwsWith(() => workersExecutor({ spec, workers: 1, timeoutMs: 0 }), /timeoutMs got 0; allowed: a finite/);
  await throwsWith(() => processesExecutor({ spec, processes: 1, timeoutMs: NaN }), /timeoutMs got NaN/);
  await throwsWith(
    () => workersExecutor({ spec, workers: 1, startupTimeoutMs: -1 }),
    /startupTimeoutMs got -1; allowed/,
  );
  await throwsWith(() => processesExecutor({ spec, processes: 2, devices: ['0', ''] }), /devices\[1\] is ''; allowed/);
});

test.run();
