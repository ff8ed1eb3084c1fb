import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { initBackend, parseBackend } from '../src/backend.ts';
import { throwsWith } from './helpers.ts';

const nativeInstalled = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((p) => {
  try {
    createRequire(import.meta.url).resolve(p);
    return true;
  } catch {
    return false;
  }
});

test('auto falls back to wasm when no native package loads, and says why', async () => {
  const info = await initBackend({ backend: 'auto', nativePackages: ['@chords-ts/no-such-native-backend'] });
  assert.is(info.name, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
  assert.match(info.skipped.tensorflow, /no-such-native-backend/);
});

test('auto uses the native backend only if it is installed', async () => {
  const info = await initBackend({ backend: 'auto' });
  assert.is(info.name, nativeInstalled ? 'tensorflow' : 'wasm');
  if (!nativeInstalled) assert.match(info.skipped.tensorflow, /tfjs-node-gpu/);
});

test('a forced backend that cannot load is a clear error, not a fallback', async () => {
  await throwsWith(
    () => initBackend({ backend: 'tensorflow', nativePackages: ['@chords-ts/no-such-native-backend'] }),
    /'tensorflow' was requested/,
    /no-such-native-backend/,
    /wasm, cpu/,
  );
});

test('CHORDS_BACKEND forces a backend; cpu and wasm give the same numbers', async () => {
  const old = process.env.CHORDS_BACKEND;
  process.env.CHORDS_BACKEND = 'cpu';
  try {
    assert.is((await initBackend()).name, 'cpu');
    const onCpu = tf.tidy(() => tf.tensor1d([1, 2, 3]).mul(0.5).dataSync());
    process.env.CHORDS_BACKEND = 'wasm';
    assert.is((await initBackend()).name, 'wasm');
    const onWasm = tf.tidy(() => tf.tensor1d([1, 2, 3]).mul(0.5).dataSync());
    assert.equal(Array.from(onCpu), Array.from(onWasm));
  } finally {
    if (old === undefined) delete process.env.CHORDS_BACKEND;
    else process.env.CHORDS_BACKEND = old;
  }
});

test('webgpu without its optional packages is a clear one-line error naming them and how to install', async () => {
  const before = tf.memory().numTensors;
  await throwsWith(
    () => initBackend({ backend: 'webgpu', webgpu: { packages: { dawn: '@chords-ts/no-dawn', tfjs: 'x' } } }),
    /'webgpu' needs the optional packages @chords-ts\/no-dawn and x \(ERR_MODULE_NOT_FOUND\)/,
    /npm install webgpu@0\.6\.2 @tensorflow\/tfjs-backend-webgpu@4\.22\.0/,
    /wasm, cpu$/,
  );
  assert.is(tf.memory().numTensors, before);
  assert.is(tf.getBackend(), 'wasm', 'the failed attempt leaves the backend as it was');
});

test('auto never picks webgpu', async () => {
  const info = await initBackend({ backend: 'auto', nativePackages: ['@chords-ts/no-such-native-backend'] });
  assert.is(info.name, 'wasm');
  assert.not.ok('webgpu' in info.skipped);
});

test('unknown backend names are rejected with the allowed list', async () => {
  await throwsWith(
    () => initBackend({ backend: 'gpu' }),
    /unknown backend 'gpu'/,
    /auto, tensorflow, wasm, cpu, webgpu/,
  );
  assert.throws(() => parseBackend('webgl'), /allowed/);
});

test.run();
