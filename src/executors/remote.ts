/** The remote side of the worker and process executors: builds the model from its spec and evaluates requests. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { buildModel, type BuiltModel } from '../models/spec.ts';
import { tidy } from '../tensor.ts';
import { fromWire, toWire, type FromRemote, type ToRemote } from './protocol.ts';

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
        send({ type: 'ready', startupMs: performance.now() - t0, backend: info.name }, []);
      } else if (msg.type === 'eval') {
        if (!model) throw new Error('eval before init');
        const t0 = performance.now();
        const outs = tidy(() => {
          const sizes = msg.xs.map((w) => w.shape[0]);
          const x = msg.xs.length === 1 ? fromWire(msg.xs[0]) : tf.concat(msg.xs.map(fromWire), 0);
          const t = tf.tensor1d(
            msg.ts.flatMap((v, j) => Array<number>(sizes[j]).fill(v)),
            'float32',
          );
          const out = model!.predict(x, t);
          return (msg.xs.length === 1 ? [out] : tf.split(out, sizes, 0)).map(toWire);
        });
        send(
          { type: 'result', id: msg.id, outs, computeMs: performance.now() - t0 },
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
