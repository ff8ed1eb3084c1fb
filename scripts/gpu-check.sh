#!/usr/bin/env bash
# The GPU checks, for a session that has a machine with a GPU: the webgpu tests (CHORDS_REQUIRE_WEBGPU=1, so a
# webgpu that cannot load fails), bench:dit on webgpu and on wasm (side by side, for ratios), and bench:parallel
# on webgpu. Writes each log and a JSON summary (adapter, pass/fail counts, the bench tables, exit codes, seconds)
# to $GPU_CHECK_OUT (default results/gpu-check). Exit code: 1 if any step failed.
#
#   scripts/gpu-check.sh            full benches (about 5-10 minutes on lavapipe, less on a GPU)
#   scripts/gpu-check.sh --quick    the benches' --quick modes
#
# Environment: NODE (the node binary, default `node`), GPU_CHECK_OUT, GPU_CHECK_TIMEOUT (seconds per step, 600),
# and what Dawn and Vulkan read: CHORDS_WEBGPU_ADAPTER (adapter-name filter), VK_DRIVER_FILES (the driver's ICD
# JSON, e.g. an NVIDIA container's .../nvidia_icd.json), LD_LIBRARY_PATH (a carried libvulkan.so.1).
#
# On a machine without Node (where at most ~64 MiB travels): node_modules is ~650 MB and the node binary ~95 MB,
# so run scripts/pack-carry.sh here first: it writes .carry/ (the node binary xz'd, ~24 MB, and a pruned
# node_modules, ~14 MB xz'd, 83 MB unpacked; tested here from a clean copy of the tree). Carry .carry, and there run
#   mkdir -p /tmp/n && xz -dc .carry/node.xz > /tmp/n/node && chmod +x /tmp/n/node && tar -xJf .carry/modules.tar.xz
#   PATH=/tmp/n:$PATH NODE=/tmp/n/node scripts/gpu-check.sh --quick
# Without libvulkan.so.1 there, carry the libvulkan1 .deb and unpack it (dpkg -x) into a folder on LD_LIBRARY_PATH.
set -uo pipefail
cd "$(dirname "$0")/.."
NODE=${NODE:-node}
OUTDIR=${GPU_CHECK_OUT:-results/gpu-check}
LIMIT=${GPU_CHECK_TIMEOUT:-600}
QUICK=
[ "${1:-}" = --quick ] && QUICK=--quick
mkdir -p "$OUTDIR"
: >"$OUTDIR/steps.tsv"
step() { # name, command...: runs it with a time limit, logs to $OUTDIR/<name>.log, records rc and seconds
  local name=$1
  shift
  local t0 rc
  t0=$(date +%s%N)
  timeout "$LIMIT" "$@" >"$OUTDIR/$name.log" 2>&1
  rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$((($(date +%s%N) - t0) / 1000000))" >>"$OUTDIR/steps.tsv"
  echo "gpu-check: $name rc=$rc ($(tail -n 1 "$OUTDIR/$name.log" | cut -c1-100))"
}
export CHORDS_REQUIRE_WEBGPU=1
step tests "$NODE" test/run.mjs webgpu
step bench-dit-webgpu "$NODE" --import tsx experiments/bench-dit.ts --backend=webgpu $QUICK
step bench-dit-wasm "$NODE" --import tsx experiments/bench-dit.ts --backend=wasm $QUICK
step bench-parallel-webgpu "$NODE" --import tsx experiments/bench-parallel.ts --backend=webgpu $QUICK
"$NODE" --input-type=module - "$OUTDIR" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
const dir = process.argv[2];
const steps = readFileSync(join(dir, 'steps.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const log = (name) => readFileSync(join(dir, `${name}.log`), 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const tables = (text) => text.split('\n').filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l));
const summary = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  env: Object.fromEntries(['CHORDS_WEBGPU_ADAPTER', 'VK_DRIVER_FILES'].map((k) => [k, process.env[k] ?? null])),
  steps: {},
};
for (const [name, rc, ms] of steps) {
  const text = log(name);
  const s = { rc: Number(rc), seconds: Number((Number(ms) / 1000).toFixed(1)) };
  if (name === 'tests') {
    const m = text.match(/(\d+) passed, (\d+) failed/);
    Object.assign(s, m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: null });
  } else {
    const head = text.split('\n').find((l) => /^bench:\w+ /.test(l));
    Object.assign(s, { header: head ?? null, table: tables(text) });
  }
  s.tail = text.trim().split('\n').slice(-3);
  summary.steps[name] = s;
}
summary.adapter = summary.steps['bench-dit-webgpu']?.header?.match(/backend webgpu \((.*)\)$/)?.[1] ?? null;
summary.ok = steps.every(([, rc]) => rc === '0');
writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
console.log(`gpu-check: ${summary.ok ? 'all steps passed' : 'SOME STEPS FAILED'}; wrote ${join(dir, 'summary.json')}`);
process.exit(summary.ok ? 0 : 1);
EOF
