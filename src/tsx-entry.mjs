// Development only (not in the build): starts a TypeScript module of the sources in a worker thread or child
// process, which do not inherit the parent's tsx loader. process.argv[2] is the module's path (src/paths.ts).
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';

register();
await import(pathToFileURL(process.argv[2]).href);
