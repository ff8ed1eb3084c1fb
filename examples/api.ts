// The API in a few lines; runnable as it stands: npx tsx examples/api.ts
import * as tf from '@tensorflow/tfjs';
import {
  initBackend,
  getSchedule,
  timeGrid,
  mixtureModel,
  randomMixture,
  getSolver,
  sample,
  chords,
  CHORDS_PRESETS,
  disposeResult,
  asDenoiser,
  loadShippedDiT,
  runChords,
  runParadigms,
  runSrds,
  workersExecutor,
  batchedExecutor,
} from 'chords-ts';

await initBackend(); // tensorflow if installed, else wasm, else cpu
const schedule = getSchedule('flow'); // flow | vp-linear | vp-cosine | ve
const grid = timeGrid(schedule, { steps: 50, kind: 'uniform', shift: 3 }); // uniform | karras | logsnr
const model = mixtureModel(schedule, randomMixture({ dim: 64, components: 8 }));
const x = tf.randomNormal([16, 64]);

// sequential: any registered solver (euler, heun, ddim, dpm2, dpm3, dpmpp-2m, dpmpp-3m)
const seq = await sample(getSolver('dpmpp-2m'), model, x, grid, { onStep: ({ i }) => void i });

// CHORDS on one device (virtual cores): 8 cores, return the fastest core; hits stream as they appear
const res = await chords(model, x, grid, {
  init: CHORDS_PRESETS[8], // or initSequence({ cores, steps }), searchInitSequence(...)
  fine: getSolver('euler'), // any solver; Heun takes two rounds per step
  stop: { kind: 'core-index', index: 1 }, // | { kind: 'residual', tol, norm } | { kind: 'complete' }
  onHit: (h) => console.log('hit', h.kind, 'core', h.core, 'round', h.round, 'model calls', h.modelCalls),
});
console.log(
  `CHORDS: ${res.rounds} rounds instead of ${grid.length - 1}, ${res.modelCalls} model calls, ` +
    `${res.wallMs.toFixed(0)} ms`,
);
disposeResult(res);

// the baselines, on the same task and result type
for (const r of [
  await runParadigms({ executor: batchedExecutor(model), param: model, grid, x }, { window: 8, tolerance: 0.1 }),
  await runSrds({ executor: batchedExecutor(model), param: model, grid, x }, { blocks: 7, tolerance: 0.1 }),
]) {
  console.log(`baseline: ${r.rounds} rounds, ${r.modelCalls} model calls`);
  disposeResult(r);
}

// your own model: a function predicting eps, x0, v or the flow velocity, with per-sample times t: [N]
const myNet = tf.sequential({ layers: [tf.layers.dense({ inputShape: [65], units: 64 })] });
const mine = asDenoiser((xx, t) => myNet.predict(tf.concat([xx, tf.reshape(t, [-1, 1])], 1)) as tf.Tensor, {
  prediction: 'velocity',
  schedule,
});
const own = await chords(mine, x, grid, { init: CHORDS_PRESETS[4] });
console.log(`own model: ${own.hits.length} hits`);
disposeResult(own);
// (or a converted tfjs model from disk: await loadTfjsModel('path/to/model', { prediction: 'eps', schedule: 'vp-linear'
// }))

// the shipped DiT on real parallel cores: one worker thread per core, each building its own model from a plain spec
// and warming it up on the real batch shape during start-up (pool.startupMs), so the rounds run at full speed
const labels = [3, 7],
  dit = loadShippedDiT({ labels, guidance: 2 });
const pool = await workersExecutor({
  spec: { kind: 'dit', labels, guidance: 2 },
  workers: 2,
  warmup: { shape: [2, 16, 16, 1] },
});
const digits = tf.randomNormal([2, 16, 16, 1]);
const r2 = await runChords(
  { executor: pool, param: dit, grid: timeGrid(dit.schedule!, { steps: 50 }), x: digits },
  { init: [0, 25], stop: { kind: 'core-index', index: 1 } }, // core 1's hit, round 1 + 50 - 25 = 26
);
console.log(
  `DiT on 2 workers: ${r2.rounds} rounds, ${r2.wallMs.toFixed(0)} ms (model ${r2.modelMs.toFixed(0)}, transfer ` +
    `${r2.transferMs.toFixed(0)})`,
);
disposeResult(r2);
await pool.close();
tf.dispose([x, seq.x, digits]);
model.dispose();
dit.dispose();
myNet.dispose();
