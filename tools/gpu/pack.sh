#!/usr/bin/env bash
# Packs this workspace for a GPU host without Node (see ../shared/gpu-bundle/README.md): runs the shared packer,
# then rebuilds its workspace archive without the build-only tools that push it over the 64 MiB a device call carries
# (biome, turbo, typescript, prettier: none of them runs in the GPU suite or the benches).
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
mkdir -p .git/info
../shared/gpu-bundle/pack --max-mib 1000 >/dev/null
mapfile -t paths < <(
  { ls -d node_modules packages/*/node_modules apps/*/node_modules 2>/dev/null
    ls -d packages/*/dist apps/*/dist packages/*/build apps/*/build 2>/dev/null; } |
  while read -r p; do [[ -e $p ]] && git check-ignore -q "$p" && echo "$p"; done)
tar --exclude='node_modules/.pnpm/typescript@*' --exclude='node_modules/.pnpm/@turbo+*' --exclude='node_modules/.pnpm/turbo@*' \
    --exclude='node_modules/.pnpm/@biomejs+*' --exclude='node_modules/.pnpm/prettier@*' --exclude='node_modules/.pnpm/@types+*' \
    --exclude='node_modules/.cache' --exclude='*.map' --exclude='packages/runtime/build/CMakeFiles' --exclude='apps/bench/build/CMakeFiles' \
    -cf - "${paths[@]}" | xz -T0 -3 > .gpu/workspace.tar.xz
git rev-parse --short HEAD > .gpu/commit
[ -z "$(git status --porcelain --untracked-files=no)" ] || echo "+dirty" >> .gpu/commit
echo "pack: .gpu is $(du -sm .gpu | cut -f1) MiB; packed: ${paths[*]}"
