/** `chords run`: any registered method on a model; every intermediate result vs the sequential solver. */
import { getMethod, methodNames, type AnyMethod, type FlagReader, type MethodResult } from '../sampling/index.ts';
import { disposeResult } from '../sampling/task.ts';
import { score, type Problem } from '../problems/index.ts';
import { formatFrechet } from '../metrics/quality.ts';
import { sample } from '../solvers/index.ts';
import { readValues } from '../tensor.ts';
import {
  checkApplies,
  checkValuesFlag,
  choiceArg,
  givenOptions,
  helpText,
  intArg,
  numArg,
  parseOptions,
} from './args.ts';
import type { Parsed, Spec } from './args.ts';
import { MODEL_OPTION_OWNERS, checkCallSize, solveReference } from './applies.ts';
import { EXECUTOR_OPTIONS, chooseExecutor, makeExecutor, type MadeExecutor } from './executor.ts';
import { PROBLEM_OPTIONS, buildProblem, problemSpec } from './problem.ts';
import { adapterField } from './report.ts';

const COMMON: Spec = {
  ...EXECUTOR_OPTIONS,
  json: { type: 'boolean', help: 'print one JSON object instead of a table' },
  values: { type: 'boolean', help: "add each result's sample values to the JSON" },
  backend: {
    type: 'string',
    help: 'tfjs backend: auto | tensorflow | wasm | cpu | webgpu (default: $CHORDS_BACKEND or auto)',
    rule: { kind: 'backend' },
  },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** The methods that declare each method flag. */
export function flagOwners(): Map<string, AnyMethod[]> {
  const owners = new Map<string, AnyMethod[]>();
  for (const name of methodNames())
    for (const flag of Object.keys(getMethod(name).flags))
      owners.set(flag, [...(owners.get(flag) ?? []), getMethod(name)]);
  return owners;
}

/** Every option of `chords run`: the problem, --method, every registered method's flags, the executor. */
export function runOptions({ defaults = true } = {}): Spec {
  const flags: Spec = {};
  for (const [flag, owners] of flagOwners()) {
    const f = owners[0].flags[flag];
    // methods that explain the flag differently: each explanation after the methods it belongs to
    const helps = new Map<string, string[]>();
    for (const m of owners) helps.set(m.flags[flag].help, [...(helps.get(m.flags[flag].help) ?? []), m.name]);
    const who = owners.length === methodNames().length ? '' : `${owners.map((m) => m.name).join(', ')}: `;
    const help =
      helps.size === 1 ? `${who}${f.help}` : [...helps].map(([h, names]) => `${names.join(', ')}: ${h}`).join('; ');
    // methods that default the flag differently: each one's default in the help, no single default
    const per = owners.map((m) => `${m.name} ${m.flags[flag].default ?? '-'}`);
    const differ = new Set(owners.map((m) => m.flags[flag].default)).size > 1;
    flags[flag] = differ
      ? { type: f.type, help: `${help} (defaults: ${per.join(', ')})` }
      : { type: f.type, help, ...(defaults && f.default ? { default: f.default } : {}) };
  }
  const method = { type: 'string' as const, default: 'chords', help: `sampler: ${methodNames().join(' | ')}` };
  return { ...PROBLEM_OPTIONS, method, ...flags, ...COMMON };
}

export function runHelp(method?: AnyMethod): string {
  if (!method)
    return helpText(
      `Usage: chords run [options]

Runs a registered method (${methodNames().join(', ')}). Every intermediate result (CHORDS hits,
baseline iterations) is reported with its round, cumulative model calls, RMSE to the sequential
solver (same fine solver, grid and noise), and the error to the exact/reference ODE solution
(analytic models) or the class accuracy and Frechet distance (dit). --model linear is the
reference code's own toy problem. chords run --method <name> --help shows one method's options.`,
      runOptions(),
    );
  const own: Spec = Object.fromEntries(Object.entries(method.flags).map(([k, f]) => [k, { ...f }]));
  return helpText(`Usage: chords run --method ${method.name} [options]\n\n${method.summary}`, {
    ...PROBLEM_OPTIONS,
    ...own,
    ...COMMON,
  });
}

/** A FlagReader over parsed options, filling each flag's default from the method. */
function flagReader(o: Parsed, method: AnyMethod): FlagReader {
  const value = (k: string) => o[k] ?? method.flags[k]?.default;
  return {
    given: (k) => o[k] !== undefined,
    int: (k, min, max) => intArg(k, value(k), min, max),
    num: (k, min, max) => numArg(k, value(k), min, max),
    choice: (k, allowed) => choiceArg(k, value(k), allowed),
    text: (k) => {
      const v = value(k);
      return typeof v === 'string' ? v : undefined;
    },
    flag: (k) => value(k) === true,
  };
}

/** Parses and checks every option, then runs the method and reports each hit against the sequential sample. */
export async function runCommand(
  argv: string[],
  out: (s: string) => void,
  backendName: () => Promise<string>,
): Promise<void> {
  const o = parseOptions('run', argv, runOptions({ defaults: false }));
  const methodName = typeof o.method === 'string' ? o.method : 'chords';
  if (o.help && !givenOptions(o).has('method')) return out(runHelp());
  const method = getMethodArg(methodName);
  if (o.help) return out(runHelp(method));
  checkValuesFlag(o);
  for (const [flag, owners] of flagOwners())
    if (o[flag] !== undefined && !owners.includes(method))
      throw new Error(`--${flag} belongs to --method ${owners.map((m) => m.name).join(' or ')}, not ${method.name}`);
  const problemDefaults = Object.fromEntries(Object.entries(PROBLEM_OPTIONS).map(([k, s]) => [k, o[k] ?? s.default]));
  const steps = intArg('steps', problemDefaults.steps, 1, 10000);
  const options = method.fromFlags(flagReader(o, method), steps);
  checkApplies('run', o, MODEL_OPTION_OWNERS, { ...o, ...problemDefaults });
  const backend = await backendName();
  chooseExecutor(o, backend, String(problemDefaults.model), method.width(steps, options));
  checkCallSize(problemSpec({ ...o, ...problemDefaults }), method.width(steps, options));
  const p = await buildProblem({ ...o, ...problemDefaults });
  let made: MadeExecutor | undefined;
  try {
    made = await makeExecutor(o, backend, p.spec.model, p.model, p.modelSpec, method.width(steps, options), p.x.shape);
    const res = await method.run({ executor: made.executor, param: p.model, grid: p.grid, x: p.x }, options);
    solveReference(p);
    const report = await reportOf(p, method, options, res, made, backend, !!o.values);
    out(o.json ? JSON.stringify(report) : table(report, p));
  } finally {
    await made?.executor.close();
    p.dispose();
  }
}

function getMethodArg(name: string): AnyMethod {
  return getMethod(choiceArg('method', name, methodNames()));
}

type Report = Awaited<ReturnType<typeof reportOf>>;

/** The run as plain data: configuration, totals, the sequential reference and every hit with its scores. */
async function reportOf(
  p: Problem,
  method: AnyMethod,
  options: ReturnType<AnyMethod['defaults']>,
  res: MethodResult,
  made: MadeExecutor,
  backend: string,
  values: boolean,
) {
  const fine = options.fine;
  const seq = await sample(fine, p.model, p.x, p.grid);
  const seqValues = (await seq.x.data()) as Float32Array;
  seq.x.dispose();
  const hitValues = await readValues(res.hits.map((h) => h.x)); // every hit in one readback
  const hits = [];
  for (const [j, h] of res.hits.entries()) {
    const v = hitValues[j];
    hits.push({
      kind: h.kind,
      ...(h.core !== undefined ? { core: h.core } : {}),
      round: h.round,
      modelCalls: h.modelCalls,
      speedupRounds: seq.modelCalls / h.round,
      ...(await score(p, v, seqValues)),
      ...(values ? { values: Array.from(v) } : {}),
    });
  }
  disposeResult(res);
  const { label, config } = method.describe(options);
  return {
    command: 'run',
    backend,
    ...adapterField(),
    label,
    config: {
      ...p.config,
      method: method.name,
      fineSolver: fine.name,
      executor: made.name,
      ...(made.size > 1 ? { workers: made.size } : {}),
      ...config,
    },
    startupMs: made.startupMs,
    rounds: res.rounds,
    modelCalls: res.modelCalls,
    wallMs: res.wallMs,
    modelMs: res.modelMs,
    transferMs: res.transferMs,
    overheadMs: res.overheadMs,
    ...res.extra,
    sequential: {
      rounds: seq.modelCalls,
      modelCalls: seq.modelCalls,
      ...(await score(p, seqValues)),
      ...(values ? { values: Array.from(seqValues) } : {}),
    },
    hits,
    timings: res.timings.map((t) => ({
      round: t.round,
      evals: t.evals,
      modelMs: t.modelMs,
      transferMs: t.transferMs,
      otherMs: t.otherMs,
    })),
  };
}

/** The human-readable table of a report. */
function table(r: Report, p: Problem): string {
  const exp = (v: number | undefined) => (v === undefined ? '' : v.toExponential(2).padStart(12));
  const fd = (v: number | null | undefined) => (v == null ? 'n/a' : v.toFixed(1));
  const quality = (h: { classAccuracy?: number; frechetDistance?: number | null }) =>
    h.classAccuracy === undefined
      ? ''
      : `${(100 * h.classAccuracy).toFixed(0).padStart(5)}% ${fd(h.frechetDistance).padStart(6)}`;
  const rows = r.hits.map((h) => {
    const label = h.kind === 'core' ? `core ${h.core}` : h.kind;
    const cols = [label.padEnd(9), String(h.round).padStart(5), `${h.speedupRounds.toFixed(2).padStart(8)}x`];
    cols.push(String(h.modelCalls).padStart(7), exp(h.rmseToSequential));
    return `  ${cols.join(' ')} ${h.rmseToReference !== undefined ? exp(h.rmseToReference) : quality(h)}`;
  });
  const c = r.config,
    s = r.sequential;
  const workers = r.config.workers ? ` (${r.config.workers})` : '';
  const last = p.reference ? 'err-to-ref' : p.quality ? 'acc     FD' : '';
  const seqRef = s.rmseToReference !== undefined ? `, error to reference ${s.rmseToReference.toExponential(2)}` : '';
  const seqQuality =
    s.classAccuracy !== undefined
      ? `, accuracy ${(100 * s.classAccuracy).toFixed(0)}%, ` +
        `Frechet distance ${formatFrechet(s.frechetDistance ?? null, 1)}`
      : '';
  const ms = (v: number) => v.toFixed(1);
  /** Model calls per sample: a whole number unless the samples' windows drifted apart (Picard). */
  const calls = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const times = `model ${ms(r.modelMs)}, transfer ${ms(r.transferMs)}, other ${ms(r.overheadMs)}`;
  return (
    `${r.label} on ${p.spec.model}: fine ${c.fineSolver}, ${c.executor} executor${workers}, ${r.backend}\n` +
    `  result    round  speedup   calls   rmse-to-seq   ${last}\n${rows.join('\n')}\n` +
    `  sequential ${c.fineSolver}: ${s.rounds} rounds${seqRef}${seqQuality}\n` +
    `  ${r.rounds} rounds, ${calls(r.modelCalls)} model calls, ${ms(r.wallMs)} ms (${times}), ` +
    `start-up ${r.startupMs.toFixed(0)} ms\n`
  );
}
