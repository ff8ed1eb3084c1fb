/** The remote side of the worker and process executors: builds the model from its spec and evaluates requests. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { buildModel, type BuiltModel } from '../models/spec.ts';
import { tidy } from '../tensor.ts';
import { timesVector } from '../diffusion/prediction.ts';
import { fromWire, splitWire, toWire, type FromRemote, type ToRemote, type WireTensor } from './protocol.ts';
import { warmModel } from './warmup.ts';

const cpuMsSince = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

/** Serves one channel: `send` posts a message back (with buffers to transfer where the transport can). */
export function serve(
  send: (msg: FromRemote, transfer: ArrayBuffer[]) => void,
  exit: () => void,
): (msg: ToRemote) => Promise<void> {
  let model: BuiltModel | undefined;
  return async (msg) => {
    try {
      if (msg.type === 'init') {
        const t0 = performance.now();
        const info = await initBackend({ backend: msg.backend });
        model = await buildModel(msg.spec);
        const warmupMs = msg.warmup ? await warmModel(model, msg.warmup) : 0;
        send({ type: 'ready', startupMs: performance.now() - t0, warmupMs, backend: info.name }, []);
      } else if (msg.type === 'eval') {
        if (!model) throw new Error('eval before init');
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const sizes = msg.xs.map((w) => w.shape[0]);
        let t1 = t0;
        const out = tidy(() => {
          const x = msg.xs.length === 1 ? fromWire(msg.xs[0]) : tf.concat(msg.xs.map(fromWire), 0);
          const t = timesVector(msg.ts.flatMap((v, j) => Array<number>(sizes[j]).fill(v))); // [n]
          t1 = performance.now();
          return model!.predict(x, t);
        });
        const t2 = performance.now();
        let wire: WireTensor[];
        try {
          wire = await toWire([out]); // one readback per request batch
        } finally {
          out.dispose();
        }
        const outs = msg.xs.length === 1 ? wire : splitWire(wire[0], sizes);
        const t3 = performance.now();
        send(
          {
            type: 'result',
            id: msg.id,
            outs,
            computeMs: t3 - t0,
            cpuMs: cpuMsSince(c0),
            stagesMs: { input: t1 - t0, model: t2 - t1, read: t3 - t2 },
          },
          outs.map((o) => o.data.buffer as ArrayBuffer),
        );
      } else if (msg.type === 'close') {
        model?.dispose();
        exit();
      }
    } catch (e) {
      send(
        {
          type: 'error',
          id: msg.type === 'eval' ? msg.id : undefined,
          message: e instanceof Error ? e.message : String(e),
        },
        [],
      );
    }
  };
}
