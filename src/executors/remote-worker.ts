/**
 * Entry of an executor worker thread (started through paths.ts entryPoint: dist/executors/remote-worker.js when
 * installed, through tsx from the sources).
 */
import { parentPort } from 'node:worker_threads';
import type { ToRemote } from './protocol.ts';
import { serve } from './remote.ts';

const port = parentPort!;
const handle = serve(
  (msg, transfer) => port.postMessage(msg, transfer),
  () => {
    port.close();
    process.exit(0);
  },
);
port.on('message', (msg: ToRemote) => {
  void handle(msg);
});
port.postMessage({ type: 'loaded' });
