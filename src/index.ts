/** chords-ts public API: a curated list of named exports (internals stay in their modules). */

// backend
export {
  BACKENDS,
  currentBackend,
  describeBackend,
  initBackend,
  parseBackend,
  type AdapterInfo,
  type BackendChoice,
  type BackendInfo,
  type BackendOptions,
  type WebGPUOptions,
} from './backend.ts';

// diffusion: schedules, grids, predictions, the Denoiser
export {
  SCHEDULES,
  flowSchedule,
  getSchedule,
  veSchedule,
  vpCosineSchedule,
  vpLinearSchedule,
  type NoiseSchedule,
  type ScheduleName,
} from './diffusion/schedule.ts';
export { GRIDS, timeGrid, type GridName, type GridOptions } from './diffusion/grid.ts';
export {
  PREDICTIONS,
  coeffsAt,
  convertPrediction,
  timesVector,
  type Parametrization,
  type Prediction,
} from './diffusion/prediction.ts';
export { asDenoiser, timeVector, type AsDenoiserOptions, type Denoiser } from './diffusion/denoiser.ts';

// solvers
export {
  callsOnGrid,
  disposeState,
  solverStep,
  type Solver,
  type SolverState,
  type StageEval,
  type StepInput,
} from './solvers/solver.ts';
export { SOLVERS, SOLVER_NAMES, getSolver, type SolverName } from './solvers/registry.ts';
export { dpm2, dpm3 } from './solvers/dpm-solver.ts';
export { dpmpp2m, dpmpp3m } from './solvers/dpm-solver-pp.ts';
export { ddim, euler } from './solvers/euler.ts';
export { heun } from './solvers/heun.ts';
export { JUMPS, ddimJump, eulerJump, getJump, x0Jump, type Jump, type JumpName } from './solvers/jump.ts';
export { sample, type SampleOptions, type SampleResult } from './solvers/sample.ts';
export {
  dataPredictionLinearForm,
  requireLinearForm,
  type LinearForm,
  type LinearSolver,
  type LinearStep,
} from './solvers/linear-form.ts';
export { Trajectory, type TrajectoryStart } from './solvers/trajectory.ts';

// sampling: the shared contract and the method registry
export {
  disposeResult,
  type RoundReport,
  type SamplerHit,
  type SamplerResult,
  type SamplingTask,
} from './sampling/task.ts';
export { roundMeter, type RoundMeter } from './sampling/meter.ts';
export {
  asMethodResult,
  type AnyMethod,
  type FlagReader,
  type FlagSpec,
  type Method,
  type MethodHit,
  type MethodResult,
  type RunHooks,
} from './sampling/method.ts';
export { getMethod, methodNames, registerMethod, unregisterMethod } from './sampling/registry.ts';

// CHORDS
export {
  CHORDS_PRESETS,
  INIT_GENERATORS,
  equalGapInit,
  initFamilies,
  initFromText,
  parseInitText,
  type InitByName,
  type InitGenerator,
  initSequence,
  parseInit,
  uniformInit,
  validateInit,
  type NamedInit,
} from './chords/init.ts';
export { HISTORY_RULES, rectifiedHistory, type HistoryRule } from './chords/history.ts';
export { CHORDS_PREDICTORS, slowerEstimates, spawnJump, type ChordsPredictor } from './chords/spawn.ts';
export {
  hitRounds,
  planChords,
  rectificationSources,
  type PlanConfig,
  type PlanRound,
  type RectificationInfo,
  type RectificationSource,
} from './chords/plan.ts';
export { parseStop, type StopRule } from './chords/stop.ts';
export { searchInitSequence } from './chords/search.ts';
export { chords, runChords, type ChordsHit, type ChordsOptions, type ChordsResult } from './chords/run.ts';
export { chordsMethod } from './chords/method.ts';

// the other methods
export { runSequential, sequentialMethod, type SequentialOptions } from './methods/sequential.ts';
export {
  paradigmsMethod,
  paradigmsSlide,
  runParadigms,
  type ParadigmsOptions,
  type ParadigmsResult,
} from './methods/paradigms.ts';
export { paradigmsVariance } from './methods/window.ts';
export {
  PICARD_PREDICTORS,
  PICARD_SCALES,
  PICARD_WINDOW_MODES,
  type PicardPredictor,
  type PicardScale,
  type PicardWindowMode,
} from './names.ts';
export {
  PICARD_SOLVERS,
  runPicard,
  type PicardOptions,
  type PicardResult,
  type PicardWindows,
} from './methods/picard.ts';
export { runParataa, type ParataaOptions } from './methods/parataa.ts';
export { parataaMethod, picardMethod, type PicardMethodOptions } from './methods/picard-method.ts';
export { blockBoundaries, runSrds, srdsRoundBound, type SrdsOptions, type SrdsResult } from './methods/srds.ts';
export { runSrdsPipelined } from './methods/srds-pipelined.ts';
export { srdsMethod, srdsPipelinedMethod } from './methods/srds-method.ts';

// executors
export {
  ExecutorError,
  batchedExecutor,
  serialExecutor,
  type EvalRequest,
  type Evaluated,
  type Executor,
  type ExecutorTimings,
} from './executors/executor.ts';
export { workersExecutor } from './executors/workers.ts';
export { DEFAULT_WARMUP_CALLS, warmExecutor, warmModel, type WarmupOptions } from './executors/warmup.ts';
export { processesExecutor } from './executors/processes.ts';
export type { PoolExecutor } from './executors/pool.ts';

// models
export { gaussianModel, type GaussianOptions } from './models/analytic/gaussian.ts';
export { mixtureModel, randomMixture, type MixtureSpec } from './models/analytic/mixture.ts';
export { linearToyGrid, linearToyModel } from './models/analytic/linear.ts';
export { DIT_PRESETS, DIT_PRESET_NAMES, getDiTConfig, type DiTConfig } from './models/dit/config.ts';
export {
  ditDenoiser,
  loadDiTDenoiser,
  loadShippedDiT,
  shippedDiTPath,
  type DiTDenoiser,
} from './models/dit/denoiser.ts';
export { loadDiT, saveDiT } from './models/dit/weights.ts';
export { createTrainer, type Trainer, type TrainerOptions } from './models/dit/train.ts';
export { loadTfjsModel, type TfjsModelOptions } from './models/tfjs.ts';
export { buildModel, type BuiltModel, type ModelSpec } from './models/spec.ts';

// problems and scoring
export { buildProblem, type Problem, type ProblemSpec } from './problems/problem.ts';
export { score, type Scores } from './problems/score.ts';

// metrics, data, plots, helpers
export { psnr } from './metrics/errors.ts';
export { frechetDistance } from './metrics/frechet.ts';
export { loadClassifier, type ClassifierParams } from './metrics/classifier.ts';
export { realStats, sampleQuality, type Quality } from './metrics/quality.ts';
export { digitBatch } from './data/digits.ts';
export { gridPng, writeGrid } from './plots/grid.ts';
export { renderSvg, svgToPng, writePlot } from './plots/render.ts';
export { plotResults, readResults, writeResults, type ResultsFile } from './plots/results.ts';
export { frontierSpec, initSequencesSpec, speedupSpec, stepsSpec, timelineSpec } from './plots/specs.ts';
export { normals, normals32, uniformRng } from './random.ts';
export { relativeRmse, rmse } from './tensor.ts';
