import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { main } from '../src/cli/main.ts';
import { planChords } from '../src/chords/index.ts';
import { frechetDistance, featureStats, symmetricEigen } from '../src/metrics/index.ts';
import { gridPng, plotResults, renderSvg, speedupSpec, timelineSpec, writeResults } from '../src/plots/index.ts';
import { normals } from '../src/random.ts';
import { parseFlags } from '../experiments/lib/flags.ts';
import { throwsWith } from './helpers.ts';

const env = { backend: 'wasm', node: process.version, gitRev: 'test', cpus: 2 };

test('a speedup spec renders to SVG with its axis titles; one colour per method', async () => {
  const rows = ['chords', 'paradigms'].flatMap((method, m) =>
    [1, 2, 4].map((cores) => ({
      model: 'mixture',
      method,
      cores,
      speedupRounds: (cores * (m + 1)) / 2,
      relErrorToSequential: 0.01,
      relErrorToReference: 0.02,
    })),
  );
  const svg = await renderSvg(speedupSpec(rows));
  assert.match(svg, /^<svg/);
  assert.match(svg, /speedup in rounds/);
  assert.match(svg, /#1f77b4/); // chords is always this blue
  assert.match(svg, /#ff7f0e/); // paradigms always this orange
});

test(
  'chords plot re-draws PNG and SVG from a results file without re-running; unknown results are an ' + 'error',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plots-'));
    const rows: Record<string, unknown>[] = [];
    for (const r of planChords({ steps: 10, init: [0, 2, 5] }))
      for (const e of r.evals) rows.push({ event: 'eval', core: e.core, round: r.round, i: e.i });
    const path = writeResults(dir, { name: 'timeline', config: {}, env, rows });
    let out = '';
    await main(['plot', path], (s) => (out += s));
    assert.match(out, /timeline\.png/);
    const png = PNG.sync.read(readFileSync(join(dir, 'timeline.png')));
    assert.ok(png.width > 300 && png.height > 100);
    assert.ok(existsSync(join(dir, 'timeline.svg')) && existsSync(join(dir, 'timeline.vl.json')));
    writeResults(dir, { name: 'mystery', config: {}, env, rows });
    await throwsWith(() => plotResults(join(dir, 'mystery.json')), /no plot for 'mystery'/, /speedup, frontier/);
    await throwsWith(() => plotResults(join(dir, 'absent.json')), /no results file/);
    assert.ok((await renderSvg(timelineSpec(rows))).length > 1000);
    rmSync(dir, { recursive: true });
  },
);

test('an alignment results file plots its curve rows only, a panel per seed set; missing fields named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plots-'));
  const rows: Record<string, unknown>[] = [{ kind: 'target', set: 'held-out', target: 1e-3 }];
  for (const set of ['held-out', 'evaluation'])
    for (const [sequence, stale] of [
      ['equal 4 0-4-8', 0],
      ['uniform 0-3-8', 2],
    ] as const)
      for (const round of [3, 6, 9])
        rows.push({ kind: 'curve', set, sequence, stale, round, errorToTarget: 10 / round });
  const path = writeResults(dir, { name: 'alignment', config: {}, env, rows });
  const [png] = await plotResults(path);
  assert.ok(PNG.sync.read(readFileSync(png)).width > 500);
  const spec = JSON.parse(readFileSync(join(dir, 'alignment.vl.json'), 'utf8'));
  assert.is(spec.data.values.length, 12); // the curve rows only, not the target row
  assert.ok(spec.data.values.every((r: { kind: string }) => r.kind === 'curve'));
  const svg = readFileSync(join(dir, 'alignment.svg'), 'utf8');
  assert.match(svg, /held-out/);
  assert.match(svg, /evaluation/);
  writeResults(dir, { name: 'alignment', config: {}, env, rows: [{ kind: 'curve', set: 'x', round: 1 }] });
  await throwsWith(() => plotResults(path), /row 0 has no 'sequence'/);
  rmSync(dir, { recursive: true });
});

test('a spawn results file plots the summary rows that reached the target, a row per configuration', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plots-'));
  const rows: Record<string, unknown>[] = [{ kind: 'target', seeds: [200, 201], target: 1e-3 }];
  for (const config of ['K 8, T 36, equal 4', 'K 4, T 36, shaped'])
    for (const [predictor, roundsToTarget] of [
      ['coarse', 21],
      ['linear', 18],
      ['quadratic', undefined],
    ] as const)
      rows.push({ kind: 'summary', seeds: '200-201', config, predictor, roundsToTarget, firstHitToTarget: 2 });
  const path = writeResults(dir, { name: 'spawn', config: {}, env, rows });
  const [png] = await plotResults(path);
  assert.ok(PNG.sync.read(readFileSync(png)).width > 300);
  const spec = JSON.parse(readFileSync(join(dir, 'spawn.vl.json'), 'utf8'));
  // the summary rows with a round only: not the target row, not the configurations that never reached it
  assert.is(spec.data.values.length, 4);
  assert.ok(spec.data.values.every((r: { predictor: string }) => r.predictor !== 'quadratic'));
  const svg = readFileSync(join(dir, 'spawn.svg'), 'utf8');
  assert.match(svg, /K 8, T 36, equal 4/);
  assert.match(svg, /K 4, T 36, shaped/);
  writeResults(dir, { name: 'spawn', config: {}, env, rows: [{ kind: 'summary', config: 'x', seeds: '1-2' }] });
  await throwsWith(() => plotResults(path), /row 0 has no 'predictor'/);
  rmSync(dir, { recursive: true });
});

test('sample grids: tiles of the right size, black background for -1, white for +1', () => {
  const imgs = new Float32Array(2 * 16 * 16).fill(-1);
  imgs.fill(1, 256, 512);
  const png = PNG.sync.read(gridPng(imgs, 2, 16, 1, { columns: 2, scale: 2, padding: 1 }));
  assert.is(png.width, 2 * 32 + 3);
  assert.is(png.height, 32 + 2);
  assert.is(png.data[(1 * png.width + 1) * 4], 0); // first tile: black
  assert.is(png.data[(1 * png.width + 34) * 4], 255); // second tile: white
});

test(
  'Frechet distance: 0 for identical statistics, the squared mean shift for shifted copies, eigen-decomposition ' +
    'exact',
  () => {
    const d = 4,
      n = 500,
      a = Float64Array.from(normals(n * d, 1)),
      b = a.map((v, j) => v + (j % d === 0 ? 2 : 0));
    const sa = featureStats(a, n, d);
    assert.ok(frechetDistance(sa, sa) < 1e-9);
    assert.ok(Math.abs(frechetDistance(sa, featureStats(b, n, d)) - 4) < 1e-6);
    const { values } = symmetricEigen([2, 1, 0, 1, 2, 0, 0, 0, 5], 3);
    assert.equal([...values].map((v) => Math.round(v * 1e9) / 1e9).sort(), [1, 3, 5]);
  },
);

test(
  'experiment flags: typed defaults, --key=value overrides (kebab or camel case), --quick merges its overrides, ' +
    'unknown keys are errors',
  async () => {
    const f = parseFlags('exp', { steps: 50, name: 'x', wall: false }, { steps: 10 }, [
      '--quick',
      '--name=y',
      '--wall',
    ]);
    assert.equal(f, { steps: 10, name: 'y', wall: true, quick: true });
    await throwsWith(
      () => parseFlags('exp', { steps: 50 }, {}, ['--stpes=3']),
      /unknown key 'stpes'/,
      /allowed: --steps, --quick/,
    );
    await throwsWith(() => parseFlags('exp', { steps: 50 }, {}, ['--steps=many']), /--steps needs a number/);
    await throwsWith(() => parseFlags('exp', { steps: 50 }, {}, ['steps']), /use --key=value/);
    assert.equal(
      parseFlags('exp', { saveEvery: 250, labelDropout: 0.1 }, {}, ['--save-every=10', '--labelDropout=0']),
      {
        saveEvery: 10,
        labelDropout: 0,
        quick: false,
      },
    );
  },
);

test('progress: a bar on a terminal, silent otherwise, lines when CHORDS_PROGRESS=lines', async () => {
  const { progress } = await import('../src/progress.ts');
  const sink = (tty: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY: tty, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
  };
  const quietSink = sink(false);
  const p1 = progress({ total: 3, label: 'x', stream: quietSink.stream });
  p1.tick(1);
  p1.done();
  assert.is(quietSink.out.length, 0);
  const tty = sink(true),
    p2 = progress({ total: 3, label: 'x', stream: tty.stream });
  p2.tick(1);
  p2.done();
  assert.match(tty.out.join(''), /x \[#+\.*\] 100\.0% 3\/3/);
  process.env.CHORDS_PROGRESS = 'lines';
  try {
    const logs = sink(false),
      p3 = progress({ total: 3, label: 'y', stream: logs.stream, every: 0 });
    p3.tick(1);
    p3.done();
    assert.ok(logs.out.length >= 2 && logs.out.every((l) => l.endsWith('\n')));
  } finally {
    delete process.env.CHORDS_PROGRESS;
  }
});

test.run();
