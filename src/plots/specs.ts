/**
 * Vega-lite specs filled from experiment rows (results/<name>.json). One colour per method,
 * the same in every plot; axes say their units.
 */
import type { TopLevelSpec } from 'vega-lite';

export const METHOD_COLORS: Record<string, string> = {
  sequential: '#7f7f7f',
  chords: '#1f77b4',
  'chords (dpmpp-2m fine)': '#9467bd',
  paradigms: '#ff7f0e',
  srds: '#2ca02c',
  'srds (pipelined)': '#98df8a',
  'chords (no rectification)': '#9edae5',
};
const methodColor = (methods: string[]) => ({
  field: 'method',
  type: 'nominal' as const,
  title: 'method',
  legend: { labelLimit: 300 },
  scale: { domain: methods, range: methods.map((m) => METHOD_COLORS[m] ?? '#8c564b') },
});
const methodsIn = (rows: Record<string, unknown>[]) =>
  [...new Set(rows.map((r) => String(r.method)))].sort(
    (a, b) => Object.keys(METHOD_COLORS).indexOf(a) - Object.keys(METHOD_COLORS).indexOf(b),
  );
type Rows = Record<string, unknown>[];

/** Per model: speedup in rounds, wall-clock speedup (where measured), and the quality of the same samples, by cores. */
export function speedupSpec(
  rows: Rows,
  title = 'Speedup over sequential sampling, and the quality of the returned samples',
): TopLevelSpec {
  const methods = methodsIn(rows),
    models = [...new Set(rows.map((r) => String(r.model)))];
  const x = {
    field: 'cores',
    type: 'quantitative' as const,
    title: 'cores (parallel calls per round)',
    scale: { type: 'log' as const, base: 2 },
    axis: { values: [1, 2, 4, 6, 8] },
  };
  const panel = (model: string, field: string, ytitle: string, log = false, unit = false) => ({
    width: 180,
    height: 150,
    transform: [
      { filter: { field: 'model', equal: model } },
      { filter: `isValid(datum['${field}'])` },
      ...(log ? [{ calculate: `max(datum['${field}'], 1e-7)`, as: field }] : []),
    ],
    layer: [
      {
        mark: { type: 'line' as const, point: true },
        encoding: {
          x,
          y: {
            aggregate: 'mean' as const,
            field,
            type: 'quantitative' as const,
            title: `${model}: ${ytitle}`,
            ...(log ? { scale: { type: 'log' as const } } : {}),
          },
          color: methodColor(methods),
          tooltip: [
            { field: 'method' },
            { field: 'cores' },
            { aggregate: 'mean' as const, field, type: 'quantitative' as const },
          ],
        },
      },
      ...(unit
        ? [{ mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#999' }, encoding: { y: { datum: 1 } } }]
        : []),
    ],
  });
  // A quality panel whose values are all equal (the DiT's class accuracy is often 100% everywhere)
  // says nothing: it becomes a line of the subtitle instead.
  const constant = (m: string, field: string) => {
    const vs = new Set(rows.filter((r) => r.model === m && r[field] != null).map((r) => r[field]));
    return vs.size === 1 ? ([...vs][0] as number) : undefined;
  };
  const notes = [`relative errors below 1e-7 (equal to the sequential sample) are drawn at 1e-7 on the log axes`];
  for (const m of models) {
    const acc = constant(m, 'classAccuracy');
    if (acc !== undefined) notes.push(`${m}: class accuracy ${(100 * acc).toFixed(0)}% at every point`);
  }
  const panels = (m: string) => [
    panel(m, 'speedupRounds', 'speedup in rounds (x)', false, true),
    ...(rows.some((r) => r.model === m && r.speedupWall != null)
      ? [panel(m, 'speedupWall', 'wall-clock speedup (x)', false, true)]
      : []),
    panel(m, 'relErrorToSequential', 'rel. RMSE to sequential (log)', true),
    ...(rows.some((r) => r.model === m && r.relErrorToReference != null)
      ? [panel(m, 'relErrorToReference', 'rel. error to reference (log)', true)]
      : []),
    ...(rows.some((r) => r.model === m && r.classAccuracy != null) && constant(m, 'classAccuracy') === undefined
      ? [panel(m, 'classAccuracy', 'class accuracy')]
      : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: notes },
    data: { values: rows },
    vconcat: models.map((m) => ({ hconcat: panels(m) })),
  } as TopLevelSpec;
}

/**
 * The frontier (issue 12): one panel per problem (rows) and K (columns); the sequential frontier (best
 * error of any solver and grid at each latency, black step line), the targets (2M at 50 and 20 uniform
 * steps, dashed rules) and every parallel method's whole error-vs-rounds curve. Rows of an older results
 * file (no `kind`) fall back to one panel of sequential lines and parallel points.
 */
export function frontierSpec(rows: Rows): TopLevelSpec {
  if (!rows.some((r) => r.kind === 'frontier')) return legacyFrontierSpec(rows);
  const Ks = [...new Set(rows.filter((r) => r.kind === 'curve').map((r) => Number(r.K)))].sort((a, b) => a - b);
  const perK = (kind: string) =>
    rows.filter((r) => r.kind === kind && Number(r.round ?? 0) <= 60).flatMap((r) => Ks.map((K) => ({ ...r, K })));
  const values = [
    ...perK('frontier'),
    ...rows.filter((r) => r.kind === 'target').flatMap((r) => Ks.map((K) => ({ ...r, K }))),
    ...rows.filter((r) => r.kind === 'curve' && Number(r.round) <= 60),
  ];
  const x = {
    field: 'round',
    type: 'quantitative' as const,
    title: 'latency (rounds of parallel model calls)',
    scale: { domain: [0, 60] },
  };
  const y = {
    field: 'relErrorToReference',
    type: 'quantitative' as const,
    title: 'relative RMS error to the reference (log)',
    scale: { type: 'log' as const },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    title: {
      text: 'Parallel samplers against the best sequential solver',
      subtitle: [
        'black: sequential frontier (best solver and grid at each latency); dashed: 2M at 50 and 20 uniform steps;',
        'lines: every intermediate result of each method (mean over seeds)',
      ],
    },
    facet: {
      row: { field: 'problem', type: 'nominal', title: null, sort: ['mixture 0.3', 'mixture 0.1', 'dit'] },
      column: { field: 'K', type: 'ordinal', title: 'K (parallel width)' },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 230,
      height: 170,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'frontier'" }],
          mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 2, clip: true },
          encoding: { x, y },
        },
        {
          transform: [{ filter: "datum.kind === 'target'" }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
          encoding: { y: { field: 'relErrorToReference', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', point: { size: 14 }, strokeWidth: 1.3, clip: true, interpolate: 'step-after' },
          encoding: {
            x,
            y,
            color: {
              field: 'method',
              type: 'nominal',
              title: 'method',
              scale: { scheme: 'tableau10' },
              legend: { labelLimit: 320 },
            },
            tooltip: [{ field: 'method' }, { field: 'config' }, { field: 'round' }, { field: 'relErrorToReference' }],
          },
        },
      ],
    },
  } as TopLevelSpec;
}

function legacyFrontierSpec(
  rows: Rows,
  yField = 'relErrorToReference',
  yTitle = 'relative error to the reference solution (log)',
): TopLevelSpec {
  const x = { field: 'round', type: 'quantitative' as const, title: 'latency (rounds of parallel model calls)' };
  const y = { field: yField, type: 'quantitative' as const, title: yTitle, scale: { type: 'log' as const } };
  const seq = [
    { filter: "datum.method === 'sequential'" },
    {
      aggregate: [
        { op: 'mean' as const, field: 'round', as: 'round' },
        { op: 'mean' as const, field: yField, as: yField },
      ],
      groupby: ['method', 'solver', 'steps'],
    },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    width: 520,
    height: 320,
    title: {
      text: 'Error against latency',
      subtitle:
        'mean over seeds; lines: sequential solvers at 3 to 100 steps; ' +
        'points: every result of each parallel run (T = 50)',
    },
    layer: [
      {
        transform: seq,
        mark: { type: 'line', point: true, strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          detail: { field: 'solver' },
          color: methodColor(methodsIn(rows)),
          // a legend, not labels at the lines' ends: close solvers (dpmpp-2m, dpmpp-3m) overprinted there
          strokeDash: {
            field: 'solver',
            type: 'nominal',
            title: 'sequential solver',
            scale: {
              range: [
                [1, 0],
                [8, 3],
                [2, 2],
                [8, 2, 2, 2],
                [4, 4],
                [1, 3],
                [12, 4],
              ],
            },
            legend: {
              symbolType: 'stroke',
              symbolStrokeWidth: 2,
              symbolSize: 500,
              encode: { symbols: { update: { stroke: { value: '#7f7f7f' } } } },
            },
          },
        },
      },
      {
        transform: [
          { filter: "datum.method !== 'sequential'" },
          {
            aggregate: [
              { op: 'mean', field: 'round', as: 'round' },
              { op: 'mean', field: yField, as: yField },
            ],
            groupby: ['method', 'variant', 'hit'],
          },
        ],
        mark: { type: 'point', filled: true, size: 55, opacity: 0.85 },
        encoding: {
          x,
          y,
          color: methodColor(methodsIn(rows)),
          shape: { field: 'variant', type: 'nominal', title: 'parallel run' },
          tooltip: [{ field: 'method' }, { field: 'variant' }, { field: 'hit' }, { field: 'round' }, { field: yField }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** Init sequences: round of each hit and its error, one line per sequence. */
export function initSequencesSpec(rows: Rows): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    title: {
      text: 'CHORDS init sequences: every hit, its round and error',
      subtitle: 'errors below 1e-7 (hits equal to the sequential sample) are drawn at 1e-7',
    },
    transform: [{ calculate: 'max(datum.relErrorToSequential, 1e-7)', as: 'err' }],
    facet: { column: { field: 'cores', type: 'ordinal', title: 'cores' } },
    spec: {
      width: 300,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'round', type: 'quantitative', title: 'round of the hit' },
        y: {
          aggregate: 'mean',
          field: 'err',
          type: 'quantitative',
          title: 'relative RMSE to sequential (log)',
          scale: { type: 'log' },
        },
        color: {
          field: 'sequence',
          type: 'nominal',
          title: 'init sequence',
          legend: { labelLimit: 400, orient: 'bottom', columns: 2 },
        },
      },
    },
  };
}

/** CHORDS init sequences (exp:alignment): the mean error over the target against rounds, one panel per seed set. */
export function alignmentSpec(rows: Rows): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows.filter((r) => r.kind === 'curve') },
    title: {
      text: 'CHORDS init sequences: error / target against rounds',
      subtitle: 'target: sequential 2M, 50 uniform steps, same seeds; dashed: a rectification uses a stale point',
    },
    transform: [{ calculate: "datum.stale > 0 ? 'stale points used' : 'fresh points only'", as: 'points' }],
    facet: { column: { field: 'set', type: 'nominal', title: 'seeds' } },
    spec: {
      width: 320,
      height: 240,
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'round', type: 'quantitative', title: 'round' },
            y: {
              field: 'errorToTarget',
              type: 'quantitative',
              title: 'mean error / target (log)',
              scale: { type: 'log' },
            },
            color: {
              field: 'sequence',
              type: 'nominal',
              title: 'init sequence',
              scale: { scheme: 'tableau20' },
              legend: { labelLimit: 400, columns: 2 },
            },
            strokeDash: {
              field: 'points',
              type: 'nominal',
              title: 'rectifications',
              scale: {
                domain: ['fresh points only', 'stale points used'],
                range: [
                  [1, 0],
                  [4, 3],
                ],
              },
            },
          },
        },
        { mark: { type: 'rule', color: 'black' }, encoding: { y: { datum: 1 } } },
      ],
    },
  };
}

/** CHORDS spawn predictors (exp:spawn): rounds to the target per configuration, one point per seed set. */
export function spawnSpec(rows: Rows): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows.filter((r) => r.kind === 'summary' && r.roundsToTarget !== undefined) },
    title: {
      text: "CHORDS: a spawned core's first value",
      subtitle: 'rounds from which the mean error stays at or below sequential 2M-50 (one point per seed set)',
    },
    width: 360,
    height: 24,
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      row: { field: 'config', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } },
      x: { field: 'roundsToTarget', type: 'quantitative', title: 'rounds to the target', scale: { zero: false } },
      y: { field: 'predictor', type: 'nominal', title: null },
      color: { field: 'predictor', type: 'nominal', legend: null },
      tooltip: [{ field: 'seeds' }, { field: 'roundsToTarget' }, { field: 'firstHitToTarget', format: '.2f' }],
    },
  };
}

/** Speedup against the number of steps T, with the error of the same hits beside it. */
export function stepsSpec(rows: Rows): TopLevelSpec {
  const x = { field: 'steps', type: 'quantitative' as const, title: 'steps T', axis: { values: [25, 50, 100] } };
  const color = { field: 'hit', type: 'nominal' as const, title: 'result' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'CHORDS (8 cores) against the number of steps',
      subtitle: 'errors below 1e-7 (hits equal to the sequential sample) are drawn at 1e-7',
    },
    data: { values: rows },
    transform: [{ calculate: 'max(datum.relErrorToSequential, 1e-7)', as: 'err' }],
    hconcat: [
      {
        width: 300,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { aggregate: 'mean', field: 'speedupRounds', type: 'quantitative', title: 'speedup in rounds (x)' },
          color,
        },
      },
      {
        width: 300,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            aggregate: 'mean',
            field: 'err',
            type: 'quantitative',
            title: 'relative RMSE to sequential (log)',
            scale: { type: 'log' },
          },
          color,
        },
      },
    ],
  };
}

/** Core-by-round diagram of one CHORDS run: which core evaluates which step, rectifications and hits. */
export function timelineSpec(rows: Rows): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    title: {
      text: 'One CHORDS run: fine step index evaluated by each core in each round',
      subtitle: 'white diamonds: rectified steps; orange triangle: coarse shot (hit 0); red crosses: core hits',
    },
    width: 640,
    height: 260,
    layer: [
      {
        transform: [{ filter: "datum.event === 'eval'" }],
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.3 },
        encoding: {
          x: {
            field: 'round',
            type: 'ordinal',
            title: 'round',
            axis: { labelAngle: 0, values: [1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50] },
          },
          y: { field: 'core', type: 'ordinal', title: 'core (0 = sequential)' },
          color: { field: 'i', type: 'quantitative', title: 'step index evaluated', scale: { scheme: 'viridis' } },
          tooltip: [{ field: 'core' }, { field: 'round' }, { field: 'i' }],
        },
      },
      {
        transform: [{ filter: "datum.event === 'rectify'" }],
        mark: { type: 'point', shape: 'diamond', color: 'white', filled: true, size: 30 },
        encoding: {
          x: { field: 'round', type: 'ordinal' },
          y: { field: 'core', type: 'ordinal' },
        },
      },
      {
        transform: [{ filter: "datum.event === 'hit'" }],
        mark: { type: 'point', shape: 'cross', color: '#d62728', filled: true, size: 140 },
        encoding: {
          x: { field: 'round', type: 'ordinal' },
          y: { field: 'core', type: 'ordinal' },
        },
      },
      {
        transform: [{ filter: "datum.event === 'shoot'" }],
        mark: { type: 'point', shape: 'triangle-right', color: '#ff7f0e', filled: true, size: 140 },
        encoding: {
          x: { field: 'round', type: 'ordinal' },
          y: { field: 'core', type: 'ordinal' },
        },
      },
    ],
  };
}

const LOSS_SERIES = ['loss of the logged step', 'moving average (EMA 0.98)'];
const lossScale = { domain: LOSS_SERIES, range: ['#9ecae1', '#1f77b4'] };

/** Training loss against steps: the logged step's loss and its moving average, with a legend. */
export function lossSpec(rows: Rows, title = 'DiT training loss (flow matching)'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: rows },
    width: 460,
    height: 260,
    layer: [
      {
        mark: { type: 'line' },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'training step' },
          y: { field: 'loss', type: 'quantitative', title: 'MSE to the target velocity', scale: { type: 'log' } },
          color: {
            datum: LOSS_SERIES[0],
            type: 'nominal',
            scale: lossScale,
            legend: { title: null, orient: 'top-right', labelLimit: 300 },
          },
        },
      },
      {
        mark: { type: 'line' },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'lossEma', type: 'quantitative' },
          color: { datum: LOSS_SERIES[1], type: 'nominal', scale: lossScale },
        },
      },
    ],
  } as TopLevelSpec;
}
