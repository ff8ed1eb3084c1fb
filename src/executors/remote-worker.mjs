// Entry of an executor worker thread: runs the TypeScript remote through tsx.
import { register } from 'tsx/esm/api';
import { parentPort } from 'node:worker_threads';

register();
const { serve } = await import('./remote.ts');
const handle = serve(
  (msg, transfer) => parentPort.postMessage(msg, transfer),
  () => {
    parentPort.close();
    process.exit(0);
  },
);
parentPort.on('message', (msg) => {
  void handle(msg);
});
parentPort.postMessage({ type: 'loaded' });
