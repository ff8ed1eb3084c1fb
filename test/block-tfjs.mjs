// `node --import ./test/block-tfjs.mjs ...`: any import of @tensorflow/* throws, so a command that answers proves
// that it never loaded tfjs (the CLI's help and argument errors; test/cli-lazy.test.ts, test/package.test.ts).
import { register } from 'node:module';

const hooks = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@tensorflow/')) throw new Error('block-tfjs: ' + specifier + ' was imported');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
