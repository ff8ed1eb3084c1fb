// npm run notebooks: executes every notebooks/*.ipynb headlessly with the tslab kernel (Debian's
// Jupyter packages) and fails on any cell error, including tslab's compile errors (which it prints
// as stream text). Executed copies go to results/notebooks/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname),
  jupyterDir = join(root, '.jupyter');
const need = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!need('jupyter-nbconvert') || !need('jupyter-kernelspec'))
  throw new Error(
    "notebooks: Jupyter is missing; install Debian's packages: apt-get install -y python3-nbconvert " +
      'python3-nbclient python3-ipykernel jupyter-nbconvert jupyter-client',
  );
const tslab = join(root, 'node_modules', '.bin', 'tslab');
if (!existsSync(tslab)) throw new Error('notebooks: tslab is missing; run npm install (it is a dev dependency)');
// The notebooks load the package's compiled ESM build (dist/index.js) with require(): tslab runs cells as CommonJS
// and Node >= 20.19 loads ES modules from require().
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (!existsSync(join(jupyterDir, 'share', 'jupyter', 'kernels', 'tslab')))
  execFileSync(tslab, ['install', '--python=/usr/bin/python3', `--binary=${tslab}`, `--prefix=${jupyterDir}`], {
    stdio: 'inherit',
  });
const outDir = join(root, 'results', 'notebooks');
mkdirSync(outDir, { recursive: true });
const env = { ...process.env, JUPYTER_PATH: join(jupyterDir, 'share', 'jupyter'), PYDEVD_DISABLE_FILE_VALIDATION: '1' };
const failures = [];
const only = process.argv.slice(2);
for (const nb of readdirSync(join(root, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb') && (!only.length || only.some((o) => f.includes(o))))
  .sort()) {
  const t0 = Date.now();
  const r = spawnSync(
    'jupyter-nbconvert',
    [
      '--to',
      'notebook',
      '--execute',
      join(root, 'notebooks', nb),
      '--output-dir',
      outDir,
      '--ExecutePreprocessor.timeout=600',
      '--ExecutePreprocessor.kernel_name=tslab',
    ],
    { env, encoding: 'utf8', timeout: 900_000 },
  );
  let problem =
    r.status === 0
      ? ''
      : (r.stderr || '')
          .split('\n')
          .filter((l) => /Error|error/.test(l))
          .slice(-5)
          .join('\n') || `exit ${r.status}`;
  if (!problem) {
    const out = JSON.parse(readFileSync(join(outDir, nb), 'utf8'));
    for (const cell of out.cells)
      for (const o of cell.outputs ?? []) {
        const text = [].concat(o.text ?? []).join('');
        if (
          o.output_type === 'error' ||
          (o.name === 'stderr' && /error TS\d+|Error:/.test(text)) ||
          /^\d+:\d+ - error/m.test(text)
        )
          problem ||= text.slice(0, 500) || o.evalue;
      }
  }
  console.log(
    `${problem ? 'FAIL' : 'ok  '} ${nb} (${((Date.now() - t0) / 1000).toFixed(1)} s)${problem ? `\n${problem}` : ''}`,
  );
  if (problem) failures.push(nb);
}
if (failures.length) {
  console.log(`notebooks: ${failures.length} failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('notebooks: all executed without errors');
