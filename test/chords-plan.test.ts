import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  CHORDS_PRESETS,
  hitRounds,
  initSequence,
  parseInit,
  parseInitText,
  initFromText,
  planChords,
  equalGapInit,
  initFamilies,
  randomInit,
  rectificationSources,
  searchInitSequence,
  validateInit,
  type PlanConfig,
} from '../src/chords/index.ts';
import { uniformRng } from '../src/random.ts';
import { arbInit as arbInitOf, throwsWith } from './helpers.ts';

/** Random valid configs: T in 2..60 (helpers.ts arbInit). */
const arbInit = arbInitOf(60);
/** Calls per step from a random pattern (1..3), optionally start-dependent like DPM-Solver++ 3M. */
const arbConfig = fc
  .tuple(arbInit, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }), fc.boolean(), fc.boolean())
  .map(([c, pattern, firstExtra, rectify]): PlanConfig & { calls: (i: number, s: number) => number } => ({
    ...c,
    rectify,
    calls: (i, s) => pattern[i % pattern.length] + (firstExtra && i === s ? 1 : 0),
  }));

test('plan: at most K evaluations per round, none repeated, every op reads stored items, spawns last', () => {
  fc.assert(
    fc.property(arbConfig, fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 })), (c, spawnPerRound) => {
      const cfg = { ...c, spawnPerRound };
      const rounds = planChords(cfg),
        K = cfg.init.length;
      const stored = new Set<string>(['x:0:0']),
        seen = new Set<string>(),
        released = new Set<string>();
      const need = (k: string, why: string) => assert.ok(stored.has(k), `${why} needs ${k}, which is not stored`);
      for (const r of rounds) {
        assert.ok(r.evals.length <= K && r.evals.length >= 1);
        for (const e of r.evals) {
          const k = `e:${e.core}:${e.i}:${e.stage}`;
          assert.not.ok(seen.has(k), `${k} evaluated twice`);
          seen.add(k);
          need(`x:${e.core}:${e.i}`, k);
          if (e.stage > 0) need(`e:${e.core}:${e.i}:${e.stage - 1}`, k);
        }
        for (const e of r.evals) stored.add(`e:${e.core}:${e.i}:${e.stage}`);
        // spawns and the shot come after every step of the round (an extrapolating spawn reads the new states)
        const steps = r.ops.map((op) => op.kind === 'fine' || op.kind === 'rectify');
        assert.ok(!steps.includes(false) || steps.lastIndexOf(true) < steps.indexOf(false), 'op order');
        for (const op of r.ops) {
          if (op.kind === 'fine' || op.kind === 'rectify') {
            const n = cfg.calls(op.i, cfg.init[op.core]);
            need(`x:${op.core}:${op.i}`, op.kind);
            for (let s = 0; s < n; s++) need(`e:${op.core}:${op.i}:${s}`, op.kind);
            if (op.kind === 'rectify') {
              assert.ok(op.core > 0 && cfg.rectify !== false, 'core 0 is never rectified');
              for (const c of [op.core, op.core - 1]) {
                need(`x:${c}:${op.begin}`, 'rectify');
                need(`e:${c}:${op.begin}:0`, 'rectify');
              }
            }
            if (op.i + 1 < cfg.steps) stored.add(`x:${op.core}:${op.i + 1}`);
          } else {
            need(`x:${op.from.core}:${op.from.i}`, op.kind);
            need(`e:${op.from.core}:${op.from.i}:0`, op.kind);
            if (op.kind === 'spawn') stored.add(`x:${op.core}:${cfg.init[op.core]}`);
          }
        }
        for (const it of r.release) {
          const k = it.kind === 'x' ? `x:${it.core}:${it.i}` : `e:${it.core}:${it.i}:${it.stage}`;
          assert.ok(stored.has(k), `released ${k}, which is not stored`);
          assert.not.ok(released.has(k), `${k} released twice`);
          stored.delete(k);
          released.add(k);
        }
      }
      assert.is(stored.size, 0, `never released: ${[...stored].join(', ')}`);
    }),
    { numRuns: 500 },
  );
});

test(
  'plan: core k hits at round k + C_k (C_k = its model calls from I[k] to T); one call per step gives k + T - ' +
    'I[k] and T rounds',
  () => {
    fc.assert(
      fc.property(arbConfig, (cfg) => {
        const rounds = planChords(cfg),
          hr = hitRounds(rounds);
        cfg.init.forEach((s, k) => {
          let c = 0;
          for (let i = s; i < cfg.steps; i++) c += cfg.calls(i, s);
          assert.is(hr[k], k + c, `core ${k}`);
        });
        assert.is(rounds.length, hr[0]);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(arbInit, (cfg) => {
        const rounds = planChords(cfg),
          hr = hitRounds(rounds);
        assert.is(rounds.length, cfg.steps);
        cfg.init.forEach((s, k) => assert.is(hr[k], k + cfg.steps - s));
      }),
      { numRuns: 300 },
    );
  },
);

test('plan: s cores spawned a round: core k hits at ceil(k / s) + T - I[k], shot after the last spawn', async () => {
  fc.assert(
    fc.property(arbInit, fc.integer({ min: 1, max: 9 }), (cfg, s) => {
      const rounds = planChords({ ...cfg, spawnPerRound: s }),
        hr = hitRounds(rounds),
        K = cfg.init.length;
      cfg.init.forEach((start, k) => assert.is(hr[k], Math.ceil(k / s) + cfg.steps - start, `core ${k}`));
      const shot = rounds.find((r) => r.hits.some((h) => h.kind === 'coarse'))!;
      assert.is(shot.round, Math.ceil((K - 1) / s) + 1);
      // every spawn jumps from the first point of the newest core of the round before
      for (const r of rounds)
        for (const op of r.ops)
          if (op.kind === 'spawn') {
            assert.is(op.from.i, cfg.init[op.from.core]);
            assert.ok(op.core - op.from.core >= 1 && op.core - op.from.core <= s);
          }
    }),
    { numRuns: 300 },
  );
  for (const bad of [0, -1, 2.5, NaN])
    await throwsWith(
      () => planChords({ steps: 10, init: [0, 4], spawnPerRound: bad }),
      /spawnPerRound: got .*; allowed: an integer >= 1/,
    );
});

test('plan: hit 0 is the coarse shot in round K; then cores from fastest to slowest, every core exactly once', () => {
  fc.assert(
    fc.property(arbConfig, (cfg) => {
      const rounds = planChords(cfg),
        K = cfg.init.length;
      const hits = rounds.flatMap((r) => r.hits.map((h) => ({ ...h, round: r.round })));
      assert.is(hits[0].kind, 'coarse');
      assert.is(hits[0].round, K);
      assert.is(hits[0].core, K - 1);
      const cores = hits.slice(1).map((h) => h.core);
      assert.equal(
        [...cores].sort((a, b) => a - b),
        cfg.init.map((_, k) => k),
      );
      for (let j = 2; j < hits.length; j++) {
        assert.ok(hits[j].round >= hits[j - 1].round, 'hit rounds never decrease');
        if (hits[j].round === hits[j - 1].round && hits[j - 1].kind === 'core')
          assert.ok(hits[j].core < hits[j - 1].core, 'same round: faster core first');
      }
    }),
    { numRuns: 300 },
  );
});

test('plan: with one call per step core k is rectified every I[k] - I[k-1] steps, at I[k] + m * delta', () => {
  fc.assert(
    fc.property(arbInit, (cfg) => {
      const ops = planChords(cfg).flatMap((r) => r.ops);
      cfg.init.forEach((s, k) => {
        const got = ops.filter((o) => o.kind === 'rectify' && o.core === k).map((o) => (o as { i: number }).i + 1);
        const want: number[] = [];
        if (k > 0) for (let j = s + (s - cfg.init[k - 1]); j <= cfg.steps; j += s - cfg.init[k - 1]) want.push(j);
        assert.equal(got, want, `core ${k}`);
      });
    }),
    { numRuns: 300 },
  );
});

test('rectification sources: a hand-worked case (T = 10, init 0-2-3)', () => {
  // core 1 (gap 2) is rectified from core 0 at begins 2, 4, 6, 8 (rounds 3, 5, 7, 9): exact. Core 2 (gap 1)
  // compares core 1's point at its begin every round from round 3: x(1, 3), x(1, 5), x(1, 7), x(1, 9) are fine
  // steps in core 1's segments (stale), x(1, 4), x(1, 6), x(1, 8) came out of core 1's rectifications (fresh)
  const got = rectificationSources(planChords({ steps: 10, init: [0, 2, 3] }));
  const want = [
    ...[2, 4, 6, 8].map((b) => ({ round: b + 1, core: 1, begin: b, source: 'exact' })),
    ...[3, 4, 5, 6, 7, 8, 9].map((b) => ({ round: b, core: 2, begin: b, source: b % 2 ? 'stale' : 'fresh' })),
  ];
  const order = (a: { round: number; core: number }, b: { round: number; core: number }) =>
    a.round - b.round || a.core - b.core;
  assert.equal([...got].sort(order), want.sort(order));
});

test('rectification sources: gaps each a multiple of the one before (equal, presets) never use stale points', () => {
  const gapsOf = (init: readonly number[]) => init.slice(1).map((v, k) => v - init[k]);
  // random chains of gaps, each a multiple of the one before, fitted below T
  const arbDividing = fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }))
    .map(([g0, factors]) => {
      const gaps = [g0];
      for (const m of factors) gaps.push(gaps[gaps.length - 1] * m);
      const init = [0];
      for (const g of gaps) init.push(init[init.length - 1] + g);
      return { init, steps: init[init.length - 1] + 1 + gaps[gaps.length - 1] * 2 };
    });
  fc.assert(
    fc.property(arbDividing, ({ init, steps }) => {
      const src = rectificationSources(planChords({ steps, init }));
      assert.ok(src.length > 0);
      assert.ok(
        src.every((s) => s.source !== 'stale'),
        `${init.join('-')} (gaps ${gapsOf(init).join(', ')})`,
      );
      assert.ok(src.every((s) => (s.core === 1) === (s.source === 'exact')));
    }),
    { numRuns: 200 },
  );
  for (const [K, preset] of Object.entries(CHORDS_PRESETS)) {
    const src = rectificationSources(planChords({ steps: 50, init: preset }));
    assert.ok(src.length > 0 && src.every((s) => s.source !== 'stale'), `preset ${K}`);
  }
  for (const steps of [36, 44, 50]) {
    const init = equalGapInit({ cores: 8, steps, lastStart: 0.75 });
    assert.ok(rectificationSources(planChords({ steps, init })).every((s) => s.source !== 'stale'));
  }
  // also with several model calls per step (every core's steps take the same calls), not with cores spawned two a
  // round (core k + 1 then starts from an earlier point and its segments fall between core k's), none unrectified
  const eq = [0, 4, 8, 12, 16, 20, 24, 28];
  for (const calls of [() => 2, (i: number) => (i === 35 ? 1 : 2)]) {
    const src = rectificationSources(planChords({ steps: 36, init: eq, calls }));
    assert.ok(src.length > 0 && src.every((s) => s.source !== 'stale'));
  }
  assert.ok(
    rectificationSources(planChords({ steps: 36, init: eq, spawnPerRound: 2 })).some((s) => s.source === 'stale'),
  );
  assert.equal(rectificationSources(planChords({ steps: 36, init: eq, rectify: false })), []);
  // rounded uniform starts break it: 0-4-8-12-15-19-23-27 (gap 3 after gaps of 4)
  const uneven = rectificationSources(planChords({ steps: 36, init: [0, 4, 8, 12, 15, 19, 23, 27] }));
  assert.ok(uneven.some((s) => s.source === 'stale' && s.core === 4));
});

test('plan: the reference presets at T = 50 hit at the rounds of REFERENCE.md', () => {
  assert.equal(
    hitRounds(planChords({ steps: 50, init: CHORDS_PRESETS[8] })).reverse(),
    [17, 24, 31, 38, 45, 48, 49, 50],
  );
  assert.is(hitRounds(planChords({ steps: 50, init: CHORDS_PRESETS[4] }))[3], 21);
  assert.is(hitRounds(planChords({ steps: 50, init: CHORDS_PRESETS[6] }))[5], 19);
  const coarse = planChords({ steps: 50, init: CHORDS_PRESETS[8] }).find((r) =>
    r.hits.some((h) => h.kind === 'coarse'),
  );
  assert.is(coarse?.round, 8);
});

test('plan: neighbours one apart finish in the same round and are all reported (the reference crashes here)', () => {
  const rounds = planChords({ steps: 10, init: [0, 1, 2] });
  const last = rounds[rounds.length - 1];
  assert.is(last.round, 10);
  assert.equal(last.hits, [
    { kind: 'core', core: 2 },
    { kind: 'core', core: 1 },
    { kind: 'core', core: 0 },
  ]);
});

test(
  'init sequences: validated with clear errors; parsed from 0-2-4; presets and a generator for any (cores, ' + 'T)',
  async () => {
    assert.equal(parseInit('0-2-4-8-16-24-32-40'), [...CHORDS_PRESETS[8]]);
    assert.equal(initSequence({ cores: 8, steps: 50 }), [0, 2, 4, 8, 16, 24, 32, 40]);
    assert.equal(initSequence({ cores: 8, steps: 100 }), [0, 4, 8, 16, 32, 48, 64, 80]);
    assert.equal(initSequence({ cores: 1, steps: 7 }), [0]);
    for (const K of [4, 6, 8])
      assert.equal(
        initSequence({ cores: K, steps: 50, usePresets: false }),
        [...CHORDS_PRESETS[K]],
        `the formula reproduces the ${K}-core preset`,
      );
    assert.equal(initSequence({ cores: 2, steps: 50 }), [0, 25]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 16 }), (steps, cores) => {
        fc.pre(cores <= steps);
        const init = initSequence({ cores, steps });
        validateInit(init, steps, cores);
        if (cores > 1 && init[cores - 1] >= 2 * cores)
          assert.ok(
            2 * init[cores - 1] - init[cores - 2] <= steps,
            `the last core of ${init} is rectified at least once`,
          );
      }),
      { numRuns: 300 },
    );
    await throwsWith(() => validateInit([1, 2], 10), /must start at 0/);
    await throwsWith(() => validateInit([0, 4, 4], 10), /strictly increasing/, /entries 1 and 2/);
    await throwsWith(() => validateInit([0, 4, 10], 10), /below the number of steps T = 10/);
    await throwsWith(() => validateInit([0, 2.5], 10), /integers/);
    await throwsWith(() => validateInit([0, 2], 10, 3), /3 cores/);
    await throwsWith(() => parseInit('0,2,4'), /0-2-4-8/);
    // --init by generator name, run for the cores and T
    assert.equal(initFromText('equal', 8, 36), [0, 4, 8, 12, 16, 20, 24, 28]);
    assert.equal(initFromText('equal:0.6', 8, 50), equalGapInit({ cores: 8, steps: 50, lastStart: 0.6 }));
    assert.equal(initFromText('uniform:0.7', 8, 50), [0, 5, 10, 15, 20, 25, 30, 35]);
    assert.equal(initFromText('shaped', 8, 50), [...CHORDS_PRESETS[8]]);
    assert.equal(initFromText(' 0-2-4 ', 3, 10), [0, 2, 4]);
    assert.equal(parseInitText('uniform:0.7'), { generator: 'uniform', lastStart: 0.7 });
    await throwsWith(
      () => parseInitText('even'),
      /init: got 'even'; allowed: start indices such as 0-2-4-8, or shaped/,
    );
    await throwsWith(() => parseInitText('equal:0'), /init: got 'equal:0'; allowed: equal or equal:<lastStart>/);
    await throwsWith(() => parseInitText('equal:0.5:1'), /init: got 'equal:0.5:1'/);
    // equal:<gap>: the gap itself, held to floor(T / K); an integer is a gap only for equal
    assert.equal(parseInitText('equal:4'), { generator: 'equal', gap: 4 });
    assert.equal(initFromText('equal:3', 4, 20), [0, 3, 6, 9]);
    await throwsWith(() => initFromText('equal:6', 4, 20), /init: got 'equal:6' for 4 cores and T = 20/, /up to .* 5/);
    await throwsWith(
      () => parseInitText('uniform:4'),
      /init: got 'uniform:4'; allowed: uniform or uniform:<lastStart>/,
    );
    await throwsWith(() => parseInitText('equal:2.5'), /or equal:<gap>, an integer >= 1/);
    await throwsWith(() => initSequence({ cores: 9, steps: 8 }), /at most T = 8/);
  },
);

test('initFamilies: every family name reads back through --init (the space as a colon) to its sequence', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 2, max: 90 }), (cores, steps) => {
      fc.pre(cores <= steps);
      for (const { family, init } of initFamilies(cores, steps))
        assert.equal(initFromText(family.replace(' ', ':'), cores, steps), init, family);
    }),
    { numRuns: 200 },
  );
});

test(
  'init search: every candidate is valid and hits by maxRound; the best has the lowest score; deterministic per ' +
    'seed',
  async () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 80 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        (steps, cores, seed) => {
          fc.pre(cores <= steps);
          const maxRound = cores + Math.floor(steps / 2);
          const init = randomInit(cores, steps, maxRound, uniformRng(seed));
          validateInit(init, steps, cores);
          assert.ok(hitRounds(planChords({ steps, init }))[cores - 1] <= maxRound);
        },
      ),
      { numRuns: 300 },
    );
    const score = (init: number[]) => Math.abs(init.reduce((a, b) => a + b, 0) - 100);
    const a = await searchInitSequence({
      cores: 4,
      steps: 50,
      maxRound: 25,
      evaluate: score,
      include: [[...CHORDS_PRESETS[4]]],
      seed: 3,
    });
    const b = await searchInitSequence({
      cores: 4,
      steps: 50,
      maxRound: 25,
      evaluate: score,
      include: [[...CHORDS_PRESETS[4]]],
      seed: 3,
    });
    assert.equal(a.best, b.best);
    assert.equal(a.tried[0].init, [...CHORDS_PRESETS[4]]);
    assert.is(a.score, Math.min(...a.tried.map((t) => t.score)));
    assert.throws(() => randomInit(8, 50, 5, uniformRng(1)), /too early/);
  },
);

test.run();
