// Entry of an executor child process: runs the TypeScript remote through tsx; messages over IPC (advanced
// serialisation).
import { register } from 'tsx/esm/api';

register();
const { serve } = await import('./remote.ts');
const handle = serve(
  (msg) => process.send(msg),
  () => {
    process.disconnect?.();
    process.exit(0);
  },
);
process.on('message', (msg) => {
  void handle(msg);
});
process.on('disconnect', () => process.exit(0)); // the parent went away: never linger
process.send({ type: 'loaded' });
