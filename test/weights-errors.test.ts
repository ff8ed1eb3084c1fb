/**
 * Corrupt weight files and bad loader arguments: each a clear error naming the file and what is
 * wrong, and no tensor left behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDiTConfig, initDiT, loadDiT, loadDiTDenoiser, loadShippedDiT, saveDiT } from '../src/models/dit/index.ts';
import { buildModel } from '../src/models/index.ts';
import { CLASSIFIER_SHAPES, loadClassifier, saveClassifier } from '../src/metrics/index.ts';
import { noLeak, throwsWith } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'chords-weights-'));
const good = join(root, 'good');
{
  const cfg = getDiTConfig('DiT-T/2'),
    p = initDiT(cfg, 3);
  await saveDiT(good, cfg, p);
  tf.dispose(Object.values(p));
}
/** A copy of the good DiT folder, changed by `edit`. */
function variant(name: string, edit: (dir: string) => void): string {
  const dir = join(root, name);
  cpSync(good, dir, { recursive: true });
  edit(dir);
  return dir;
}
const editJson = (dir: string, f: (m: Record<string, any>) => void) => {
  const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  f(m);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
};

test('corrupt DiT weight files: each error names the file and what is wrong, and nothing leaks', async () => {
  const truncatedJson = variant('truncated-json', (d) => {
    const text = readFileSync(join(d, 'model.json'), 'utf8');
    writeFileSync(join(d, 'model.json'), text.slice(0, text.length >> 1));
  });
  const noManifest = variant('no-manifest', (d) => editJson(d, (m) => delete m.weightsManifest));
  const noPaths = variant('no-paths', (d) => editJson(d, (m) => (m.weightsManifest[0].paths = [])));
  const short = variant('short-bin', (d) => truncateSync(join(d, 'weights.bin'), 1000));
  const noBin = variant('no-bin', (d) => unlinkSync(join(d, 'weights.bin')));
  const deeper = variant('deeper-config', (d) => editJson(d, (m) => (m.meta.config.depth = 3)));
  const wider = variant('wider-config', (d) => editJson(d, (m) => (m.meta.config.hidden = 64)));
  const badConfig = variant('bad-config', (d) => editJson(d, (m) => (m.meta.config.patch = 3)));
  const noConfig = variant('no-config', (d) => editJson(d, (m) => delete m.meta.config));
  const empty = variant('empty-json', (d) => writeFileSync(join(d, 'model.json'), '{}'));
  const cases: [string, RegExp[]][] = [
    [join(root, 'missing'), [/no model\.json at '.*missing\/model\.json'/]],
    [truncatedJson, [/truncated-json\/model\.json' is not valid JSON/, /truncated or not a weights file/]],
    [noManifest, [/no-manifest\/model\.json': no weightsManifest/]],
    [noPaths, [/no-paths\/model\.json': group 0 lists no weights files/]],
    [short, [/short-bin\/model\.json' have 1000 bytes; its manifest needs \d+ \(truncated/]],
    [noBin, [/lists 'weights\.bin', but '.*no-bin\/weights\.bin' does not exist/]],
    [deeper, [/deeper-config'/, /parameter 'blocks\.2\.\S+' is missing/]],
    [wider, [/wider-config'/, /parameter '\S+' is \[\d+(,\d+)*\]; the config needs \[/]],
    [badConfig, [/bad-config': dit config: patch 3 must divide imageSize 16/]],
    [noConfig, [/no-config': no config in its meta/]],
    [empty, [/empty-json\/model\.json' has no "format" field; allowed: a weights file with "format": "chords-ts-dit"/]],
  ];
  for (const [path, patterns] of cases) {
    await noLeak(() => throwsWith(() => loadDiT(path), ...patterns));
    await noLeak(() => throwsWith(() => loadDiTDenoiser(path, { labels: [0] }), patterns[0]));
  }
  // the good copy loads, so the errors above are the edits' doing
  const ok = loadDiT(good);
  assert.is(ok.config.hidden, 32);
  tf.dispose(Object.values(ok.params));
});

test('classifier weights: wrong format, wrong shapes and a short file are clear errors; nothing leaks', async () => {
  await noLeak(() =>
    throwsWith(() => loadClassifier(good), /has "format": 'chords-ts-dit'; allowed: 'chords-ts-digit-classifier'/),
  );
  const dir = join(root, 'classifier-wrong');
  const params = Object.fromEntries(
    CLASSIFIER_SHAPES.map(([name, shape]) => [name, tf.zeros(name === 'l3.w' ? [64, 9] : shape)]),
  );
  const training = { steps: 1, batch: 1, lr: 1, dataSeed: 0, heldOutAccuracy: 0, finalLoss: 0 };
  await saveClassifier(dir, params, training);
  tf.dispose(Object.values(params));
  await noLeak(() =>
    throwsWith(() => loadClassifier(dir), /classifier weights '.*classifier-wrong'/, /'l3\.w' is \[64,9\]/),
  );
  truncateSync(join(dir, 'weights.bin'), 10);
  await noLeak(() => throwsWith(() => loadClassifier(dir), /have 10 bytes; its manifest needs/));
});

test('loaders given bad arguments free what they loaded: bad labels, guidance, an empty path', async () => {
  await noLeak(() => throwsWith(() => loadShippedDiT({ labels: [11] }), /labels: got 11; allowed: integers 0\.\.10/));
  await noLeak(() => throwsWith(() => loadShippedDiT({ labels: [] }), /labels: need at least one/));
  await noLeak(() => throwsWith(() => loadShippedDiT({ labels: [0], guidance: NaN }), /guidance: got NaN/));
  await noLeak(() => throwsWith(() => loadShippedDiT({ labels: [0] }, 'DiT-XL/2'), /unknown preset 'DiT-XL\/2'/));
  await noLeak(() => throwsWith(() => buildModel({ kind: 'dit', labels: [-1], guidance: 2 }), /labels: got -1/));
  await noLeak(() => throwsWith(() => loadDiT(''), /weights: got path ""/));
  const dit = loadShippedDiT({ labels: [1, 2, 3] }),
    x = tf.zeros([4, 16, 16, 1]),
    t = tf.fill([4], 0.5) as tf.Tensor1D;
  await noLeak(() => throwsWith(() => dit.predict(x, t), /dit: a batch of 4 for 3 labels; allowed: a multiple/));
  tf.dispose([x, t]);
  dit.dispose();
  await noLeak(() =>
    throwsWith(() => loadDiT(join(good, 'model.json', '..', 'weights.bin')), /is a file, not a model\.json/),
  );
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
