/**
 * A user's own tfjs model as a Denoiser: a converted tfjs model (model.json + weight files) read
 * from disk with no network, called as model.predict([x, t]) with t shaped [N] or [N, 1], or
 * model.predict(x) when the model ignores time.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asDenoiser, type Denoiser } from '../diffusion/denoiser.ts';
import { checkPrediction, type Prediction } from '../diffusion/prediction.ts';
import { getSchedule } from '../diffusion/schedule.ts';

export interface TfjsModelOptions {
  /** What the network predicts. */
  prediction: Prediction;
  /** Noise schedule name it was trained with. */
  schedule: string;
  /** How time is passed: 'vector' = [N], 'column' = [N, 1], 'none' = not at all. Default 'column'. */
  time?: 'vector' | 'column' | 'none';
}

/** An IOHandler that reads model.json and its weight files from the local filesystem. */
export function fileHandler(path: string): tf.io.IOHandler {
  // a file that is not a .json (README.md, weights.bin) is named as given, not as '<file>/model.json'
  if (!path.endsWith('.json') && existsSync(path) && !statSync(path).isDirectory())
    throw new Error(
      `tfjs model: '${path}' is a file, not a model.json; allowed: a folder holding model.json, or its path`,
    );
  const file = path.endsWith('.json') ? path : join(path, 'model.json');
  if (!existsSync(file)) throw new Error(`tfjs model: no model.json at '${file}'`);
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(readFileSync(join(dirname(file), p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

export type TfjsDenoiser = Denoiser & { dispose(): void };

/** The x input's shape without the batch axis when the model fixes every axis (else undefined: no check). */
function knownSampleShape(model: tf.LayersModel | tf.GraphModel): number[] | undefined {
  const shape = (model.inputs[0] as { shape?: (number | null)[] } | undefined)?.shape;
  const rest = shape?.slice(1);
  return rest && rest.length > 0 && rest.every((d) => typeof d === 'number' && d > 0) ? (rest as number[]) : undefined;
}

/** Loads a layers model (or a graph model) from a path and adapts it to the Denoiser interface. */
export async function loadTfjsModel(
  path: string,
  { prediction, schedule, time = 'column' }: TfjsModelOptions,
): Promise<TfjsDenoiser> {
  checkPrediction(prediction);
  const s = getSchedule(schedule);
  if (!['vector', 'column', 'none'].includes(time))
    throw new Error(`time: got '${time}'; allowed: vector, column, none`);
  const handler = fileHandler(path);
  const json = JSON.parse(readFileSync(path.endsWith('.json') ? path : join(path, 'model.json'), 'utf8'));
  const isGraph = json.format === 'graph-model';
  const model: tf.LayersModel | tf.GraphModel = isGraph
    ? await tf.loadGraphModel(handler)
    : await tf.loadLayersModel(handler);
  const d = asDenoiser(
    (x, t) =>
      tf.tidy(() => {
        const tt = time === 'column' ? tf.reshape(t, [-1, 1]) : t;
        const out = time === 'none' ? model.predict(x) : model.predict([x, tt]);
        return Array.isArray(out) ? out[0] : (out as tf.Tensor);
      }),
    { prediction, schedule: s, sampleShape: knownSampleShape(model) },
  );
  return { ...d, dispose: () => model.dispose() };
}
