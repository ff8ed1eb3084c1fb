/**
 * Entry of an executor child process (started through paths.ts entryPoint: dist/executors/remote-child.js when
 * installed, through tsx from the sources); messages over IPC (advanced serialisation).
 */
import type { FromRemote, ToRemote } from './protocol.ts';
import { serve } from './remote.ts';

const send = (msg: FromRemote | { type: 'loaded' }) => process.send!(msg);
const handle = serve(send, () => {
  process.disconnect?.();
  process.exit(0);
});
process.on('message', (msg: ToRemote) => {
  void handle(msg);
});
process.on('disconnect', () => process.exit(0)); // the parent went away: never linger
send({ type: 'loaded' });
