// Builds the cuBLASLt baseline addon (build/Release/dg_bench_cublaslt.node) with cmake-js, like @dg/runtime's: checks
// that cmake and a C++ compiler exist first, so a missing tool is one clear line. Offline: package.json declares
// "binary.napi_versions", so cmake-js takes the Node-API headers from node-api-headers. No CUDA toolkit is needed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function has(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

if (!has('cmake', ['--version'])) {
  console.error('@dg/bench: cmake was not found on PATH; install CMake >= 3.18 to build the cuBLASLt addon.');
  process.exit(1);
}
const cxx = process.env.CXX ?? 'c++';
if (!has(cxx, ['--version'])) {
  console.error(`@dg/bench: no C++ compiler (${cxx}) was found; install g++ or clang++ (or set CXX).`);
  process.exit(1);
}

const require = createRequire(join(root, 'package.json'));
const cli = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
console.log('@dg/bench: building the cuBLASLt addon with cmake-js (Release) ...');
// npm_config_nodedir from a user's .npmrc would point cmake-js at a Node source tree; Node-API builds do not need it.
const env = { ...process.env };
delete env.npm_config_nodedir;
delete env.NPM_CONFIG_NODEDIR;
const r = spawnSync(process.execPath, [cli, 'compile', '--out', 'build', '--config', 'Release'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (r.status !== 0) {
  console.error(`@dg/bench: cmake-js failed (exit ${r.status ?? r.signal}); see the output above.`);
  process.exit(r.status ?? 1);
}
