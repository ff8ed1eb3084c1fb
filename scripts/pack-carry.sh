#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a machine without Node into .carry/ (git-ignored through
# .git/info/exclude): the node binary (xz) and a pruned node_modules (tar.xz): for each @tensorflow package only
# package.json and the files Node loads (dist/*.node.js, the wasm binaries and their workers), for webgpu only its
# linux-x64 dawn.node, and no dev-only packages (TypeScript, Prettier, tslab/zeromq, rollup). About 40 MB.
# There, from the repository root:
#   mkdir -p /tmp/n && xz -dc .carry/node.xz > /tmp/n/node && chmod +x /tmp/n/node && tar -xJf .carry/modules.tar.xz
#   PATH=/tmp/n:$PATH NODE=/tmp/n/node scripts/gpu-check.sh --quick
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qsx '/.carry/' .git/info/exclude 2>/dev/null || echo '/.carry/' >>"$(git rev-parse --git-path info/exclude)"
rm -rf .carry
mkdir -p .carry
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -a node_modules "$stage/node_modules"
nm=$stage/node_modules
for d in "$nm"/@tensorflow/*/; do
  find "$d" -mindepth 1 -maxdepth 1 ! -name package.json ! -name dist ! -name node_modules -exec rm -rf {} +
  find "$d/dist" -mindepth 1 -maxdepth 1 ! -name '*.node.js' ! -name '*.wasm' ! -name '*worker*.js' -exec rm -rf {} +
done
find "$nm/webgpu/dist" -mindepth 1 -maxdepth 1 ! -name "linux-x64" -exec rm -rf {} +
rm -rf "$nm"/{typescript,@typescript,prettier,tslab,@tslab,zeromq,cmake-ts,rollup,@rollup,core-js,@types,.cache}
find "$nm" -name '*.map' -delete
xz -T0 -c "$(command -v node)" >.carry/node.xz
tar -C "$stage" -cf - node_modules | xz -T0 >.carry/modules.tar.xz
ls -l .carry
du -sh .carry
