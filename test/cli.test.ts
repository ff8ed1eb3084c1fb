import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { main } from '../src/cli/main.ts';
import { throwsWith } from './helpers.ts';

async function runJson(argv: string[]): Promise<Record<string, unknown>> {
  let text = '';
  await main(argv, (s) => (text += s));
  return JSON.parse(text);
}

test('chords solve --json reports configuration, model calls, wall time and error to the reference', async () => {
  const r = await runJson([
    'solve',
    '--model',
    'gaussian',
    '--schedule',
    'vp-linear',
    '--grid',
    'karras',
    '--solver',
    'heun',
    '--steps',
    '20',
    '--seed',
    '3',
    '--dim',
    '8',
    '--json',
    '--backend',
    'wasm',
  ]);
  assert.is((r.config as Record<string, unknown>).solver, 'heun');
  assert.is((r.config as Record<string, unknown>).schedule, 'vp-linear');
  assert.is(r.modelCalls, 39); // 19 Heun steps of 2 calls + Euler to clean data
  assert.ok(typeof r.wallMs === 'number' && (r.wallMs as number) >= 0);
  assert.ok((r.rmseToReference as number) > 0 && (r.rmseToReference as number) < 0.05);
});

test('more steps give a smaller error to the reference through the CLI (mixture, flow)', async () => {
  const e = async (steps: string) =>
    (await runJson(['solve', '--model', 'mixture', '--steps', steps, '--dim', '4', '--n', '4', '--json']))
      .rmseToReference as number;
  assert.ok((await e('80')) < (await e('10')));
});

test('--x0 sets the initial noise exactly; --values returns the sample', async () => {
  const r = await runJson([
    'solve',
    '--model',
    'gaussian',
    '--dim',
    '2',
    '--steps',
    '1',
    '--x0',
    '0.5,-0.25',
    '--values',
    '--json',
  ]);
  const v = r.values as number[];
  assert.is(v.length, 2);
  await throwsWith(() => main(['solve', '--dim', '2', '--x0', '1,2,3']), /--x0: got 3 values/, /n \* dim = 1 \* 2 = 2/);
});

test('unknown names and out-of-range numbers are clear errors listing what is allowed', async () => {
  await throwsWith(() => main(['solve', '--solver', 'rk4']), /--solver: unknown value 'rk4'/, /dpmpp-3m/);
  await throwsWith(() => main(['solve', '--schedule', 'cosine']), /flow, vp-linear, vp-cosine, ve/);
  await throwsWith(() => main(['solve', '--grid', 'exp']), /uniform, karras, logsnr/);
  await throwsWith(() => main(['solve', '--steps', '0']), /--steps: got '0'/, /1 to 10000/);
  await throwsWith(() => main(['solve', '--shift', '-2']), /--shift/);
  await throwsWith(() => main(['solve', '--model', 'dit3']), /gaussian, mixture, linear/);
  await throwsWith(() => main(['solve', '--bogus']), /unknown option --bogus/);
  await throwsWith(() => main(['explode']), /unknown command 'explode'/);
});

test('the bin prints help, and an error as one line with exit code 2', () => {
  const help = spawnSync(process.execPath, ['bin/chords.mjs', '--help'], { encoding: 'utf8' });
  assert.is(help.status, 0);
  assert.match(help.stdout, /Usage: chords <command>/);
  const bad = spawnSync(process.execPath, ['bin/chords.mjs', 'solve', '--solver', 'nope'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.is(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^chords: error: --solver/);
});

test(
  'chords run --json: configuration, rounds, model calls and every hit with its kind, core, round and ' + 'errors',
  async () => {
    const { main: run } = await import('../src/cli/main.ts');
    let text = '';
    await run(
      [
        'run',
        '--model',
        'mixture',
        '--dim',
        '8',
        '--steps',
        '50',
        '--init',
        '0-2-4-8-16-24-32-40',
        '--stop',
        'core-index:1',
        '--fine-solver',
        'euler',
        '--coarse',
        'euler',
        '--seed',
        '2',
        '--json',
      ],
      (s) => (text += s),
    );
    const r = JSON.parse(text);
    assert.is(r.config.init, '0-2-4-8-16-24-32-40');
    assert.is(r.rounds, 17);
    assert.equal(
      r.hits.map((h: { kind: string; round: number }) => [h.kind, h.round]),
      [
        ['coarse', 8],
        ['core', 17],
      ],
    );
    assert.is(r.hits[1].core, 7);
    assert.is(r.hits[1].modelCalls, r.modelCalls);
    for (const h of r.hits) assert.ok(h.rmseToSequential >= 0 && h.rmseToReference >= 0);
    assert.is(r.sequential.rounds, 50);
    // --init by generator name: equal gaps for --cores at T = --steps, recorded as the sequence it ran
    const e = await runJson(['run', '--model', 'mixture', '--dim', '8', '--steps', '36', '--init', 'equal', '--json']);
    assert.is((e.config as { init: string }).init, '0-4-8-12-16-20-24-28');
    // the family name 'equal 3' of initFamilies, read back as --init equal:3
    const g = await runJson([
      'run',
      '--model',
      'mixture',
      '--dim',
      '8',
      '--steps',
      '36',
      '--init',
      'equal:3',
      '--json',
    ]);
    assert.is((g.config as { init: string }).init, '0-3-6-9-12-15-18-21');
    // no --stop: the run goes to core 0 (T rounds); the fastest core, starting at 28, hits at 7 + 36 - 28
    assert.is(e.rounds, 36);
    const hits = e.hits as { kind: string; core: number; round: number }[];
    assert.is(hits.find((h) => h.kind === 'core' && h.core === 7)?.round, 7 + 36 - 28);
  },
);

test(
  'chords run --model linear --x0 --values: the reference toy, number for number; the last hit is sequential ' +
    'Euler',
  async () => {
    const { main: run } = await import('../src/cli/main.ts');
    let text = '';
    await run(
      [
        'run',
        '--model',
        'linear',
        '--steps',
        '50',
        '--dim',
        '2',
        '--x0',
        '0.3,-1.2',
        '--cores',
        '8',
        '--values',
        '--json',
      ],
      (s) => (text += s),
    );
    const r = JSON.parse(text);
    assert.equal(
      r.hits.map((h: { round: number }) => h.round),
      [8, 17, 24, 31, 38, 45, 48, 49, 50],
    );
    // sequential unit-step Euler on f(x, tau) = 0.1 x + 0.01 tau, in float64
    const want = [0.3, -1.2].map((x0) => {
      let x = x0;
      for (let i = 0; i < 50; i++) x += 0.1 * x + 0.01 * i;
      return x;
    });
    r.hits[8].values.forEach((v: number, d: number) => assert.ok(Math.abs(v - want[d]) < 1e-5 * Math.abs(want[d])));
    assert.equal(r.hits[8].values, r.sequential.values);
    await throwsWith(() => run(['run', '--model', 'linear', '--fine-solver', 'dpm2']), /needs a noise schedule/);
    await throwsWith(() => run(['run', '--init', '0-4-2']), /strictly increasing/);
    await throwsWith(() => run(['run', '--init', '0-4', '--cores', '3']), /3 cores/);
    await throwsWith(() => run(['run', '--init', 'equal:9', '--steps', '36']), /floor\(T \/ cores\) = 4/);
    await throwsWith(() => run(['run', '--stop', 'fast']), /core-index:<i>/);
    await throwsWith(() => run(['run', '--coarse', 'rk']), /euler, ddim/);
  },
);

test(
  'chords run --method paradigms|srds: the same JSON fields, one entry per intermediate result; misplaced ' +
    'options are errors',
  async () => {
    const { main: run } = await import('../src/cli/main.ts');
    for (const [method, opts] of [
      ['paradigms', ['--window', '4', '--tolerance', '0']],
      ['srds', ['--blocks', '4', '--tolerance', '0']],
      ['picard', ['--window', '4', '--tolerance', '0', '--fine-solver', 'dpmpp-3m']],
      ['parataa', ['--window', '3', '--tolerance', '0', '--anderson-depth', '3']],
    ] as const) {
      let text = '';
      await run(
        ['run', '--method', method, ...opts, '--model', 'mixture', '--dim', '4', '--steps', '16', '--json'],
        (s) => (text += s),
      );
      const r = JSON.parse(text);
      assert.is(r.config.method, method);
      for (const k of ['rounds', 'modelCalls', 'wallMs']) assert.ok(typeof r[k] === 'number', k);
      assert.ok(r.hits.length >= 1);
      for (const h of r.hits) assert.ok(h.rmseToSequential >= 0 && h.rmseToReference >= 0 && h.round >= 1);
      assert.ok(
        r.hits[r.hits.length - 1].rmseToSequential < 1e-6,
        `${method} with tolerance 0 reaches the sequential sample`,
      );
    }
    await throwsWith(
      () => run(['run', '--method', 'chords', '--window', '3']),
      /--window belongs to --method paradigms or picard or parataa, not chords/,
    );
    await throwsWith(
      () => run(['run', '--method', 'picard', '--fine-solver', 'heun']),
      /picard needs a solver with a linear form; got 'heun'; allowed: ddim, dpmpp-2m, dpmpp-3m/,
    );
    await throwsWith(() => run(['run', '--method', 'parataa', '--anderson']), /--anderson belongs to --method picard/);
    await throwsWith(() => run(['run', '--method', 'picard', '--scale', 'big']), /noise, state/);
    await throwsWith(() => run(['run', '--method', 'paradigms', '--blocks', '3']), /--blocks belongs to --method srds/);
    await throwsWith(() => run(['run', '--method', 'srds', '--init', '0-2']), /--init belongs to --method chords/);
    await throwsWith(() => run(['run', '--method', 'paradigms', '--fine-solver', 'heun']), /euler, ddim/);
    await throwsWith(() => run(['run', '--method', 'sgd']), /chords, paradigms, srds/);
  },
);

test(
  '--executor: workers and processes give the sample of batched; startupMs apart from wallMs; misplaced pool ' +
    'options are errors',
  async () => {
    const { main: run } = await import('../src/cli/main.ts');
    const res: Record<string, { hits: { values: number[] }[]; startupMs: number; wallMs: number; transferMs: number }> =
      {};
    for (const ex of ['batched', 'workers', 'processes']) {
      let text = '';
      await run(
        [
          'run',
          '--executor',
          ex,
          ...(ex === 'batched' ? ['--warmup', '0'] : ['--workers', '2']),
          '--model',
          'mixture',
          '--dim',
          '4',
          '--steps',
          '12',
          '--cores',
          '3',
          '--values',
          '--json',
        ],
        (s) => (text += s),
      );
      res[ex] = JSON.parse(text);
    }
    assert.equal(res.workers.hits.at(-1)!.values, res.batched.hits.at(-1)!.values);
    assert.equal(res.processes.hits.at(-1)!.values, res.batched.hits.at(-1)!.values);
    assert.ok(res.workers.startupMs > 0 && res.batched.startupMs === 0); // batched: --warmup 0
    await throwsWith(
      () => run(['run', '--executor', 'batched', '--workers', '2']),
      /--workers belongs to --executor workers or processes/,
    );
    await throwsWith(
      () => run(['run', '--executor', 'workers', '--devices', '0,1']),
      /--devices belongs to --executor processes/,
    );
    await throwsWith(() => run(['run', '--executor', 'gpu']), /serial, batched, workers, processes/);
    let text = '';
    await run(['solve', '--executor', 'serial', '--dim', '4', '--steps', '10', '--json'], (s) => (text += s));
    assert.is(JSON.parse(text).config.executor, 'serial');
    // --x0 overrides --seed, and the report says so (its values, no seed), so the run can be repeated
    text = '';
    await run(['solve', '--dim', '2', '--steps', '4', '--x0=0.5,-1', '--grid', 'logsnr', '--json'], (s) => (text += s));
    const config = JSON.parse(text).config;
    assert.is(config.x0, '0.5,-1');
    assert.not.ok('seed' in config || 'shift' in config, 'no seed with --x0, no shift off uniform grids');
  },
);

test("the README's API example runs as it stands", () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/api.ts'], { encoding: 'utf8', timeout: 240_000 });
  assert.is(
    r.status,
    0,
    r.stderr
      .split('\n')
      .filter((l) => !l.startsWith('var Module'))
      .slice(-5)
      .join('\n'),
  );
  assert.match(r.stdout, /CHORDS: 17 rounds instead of 50/);
  assert.match(r.stdout, /DiT on 2 workers: 26 rounds/);
});

test(
  '--model dit: chords sample writes a PNG grid and reports quality; run and solve report classAccuracy and ' +
    'frechetDistance',
  async () => {
    const { main: run } = await import('../src/cli/main.ts');
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = join(mkdtempSync(join(tmpdir(), 'sample-')), 'grid.png');
    let text = '';
    await run(
      [
        'sample',
        '--model',
        'dit',
        '--class',
        '3',
        '--n',
        '4',
        '--steps',
        '6',
        '--solver',
        'euler',
        '--out',
        out,
        '--json',
      ],
      (s) => (text += s),
    );
    const s = JSON.parse(text);
    assert.ok(existsSync(out));
    assert.is(s.config.labels, 3);
    assert.ok(s.classAccuracy >= 0 && s.classAccuracy <= 1 && s.frechetDistance >= 0);
    text = '';
    await run(
      ['run', '--model', 'dit', '--n', '2', '--steps', '6', '--cores', '2', '--executor', 'batched', '--json'],
      (x) => (text += x),
    );
    const r = JSON.parse(text);
    assert.ok(
      r.hits.every(
        (h: { classAccuracy?: number; rmseToReference?: number }) =>
          typeof h.classAccuracy === 'number' && h.rmseToReference === undefined,
      ),
    );
    text = '';
    await run(['solve', '--model', 'dit', '--n', '2', '--steps', '4', '--json'], (x) => (text += x));
    assert.ok(typeof JSON.parse(text).frechetDistance === 'number');
    await throwsWith(() => run(['sample', '--model', 'mixture']), /--model: unknown value 'mixture'; allowed: dit/);
    await throwsWith(() => run(['sample', '--class', '12']), /--class: got '12'/);
    await throwsWith(() => run(['solve', '--model', 'dit', '--schedule', 've']), /allowed: flow/);
  },
);

test.run();
