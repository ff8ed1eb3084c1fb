// Run by test/cli-catalog.test.ts as `node --import tsx --import ./test/block-tfjs.mjs test/preflight-child.ts`:
// reads { catalog, cases } on stdin and prints, for each case, what main.ts's preflight answers (its output or its
// error message); any import of tfjs on the way throws, so the answers are proven tfjs-free.
import { readFileSync } from 'node:fs';
import type { Catalog } from '../src/cli/catalog.ts';
import { preflight } from '../src/cli/main.ts';

const { catalog, cases } = JSON.parse(readFileSync(0, 'utf8')) as { catalog: Catalog; cases: [string, string[]][] };
const answers = cases.map(([cmd, argv]) => {
  try {
    const out = preflight(catalog, cmd, argv);
    return out === undefined ? null : { out };
  } catch (e) {
    return { error: (e as Error).message };
  }
});
// the control: tfjs itself is blocked here
const blocked = await import('@tensorflow/tfjs').then(
  () => false,
  (e: Error) => /block-tfjs/.test(e.message),
);
process.stdout.write(JSON.stringify({ answers, blocked }));
