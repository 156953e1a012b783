#!/usr/bin/env node
// rf8 verify throughput on a large results file (default 1e7 lines), against `wc -l` of the same
// file in the same run, with the peak RSS of the verifier (flat memory: fixed read buffers).
//   node bench/verify-throughput.mjs [LINES] [FILE]
// The file is generated once with `rf8 gen` (kept; delete it yourself). Prints one JSON document.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'rf8.js');
const lines = Number(process.argv[2] ?? 1e7);
const file = process.argv[3] ?? join(tmpdir(), `rf8-verify-bench-${lines}.txt`);
if (!existsSync(file)) {
  const t0 = Date.now();
  execFileSync(process.execPath, [bin, 'gen', '--level', 'random', '--count', String(lines), '--lanes', '1', '--jobs', '2', '--out', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stderr.write(`generated ${file} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const time = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed: ${r.stderr}`);
  const [rss, u, sy] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { s, rssKiB: rss, cpu: u + sy, stdout: r.stdout };
};
const load0 = loadavg()[0];
const wc = time('wc', ['-l', file]);
const n = Number(wc.stdout.trim().split(/\s+/)[0]);
const runs = {};
for (const jobs of [1, 2]) {
  const v = time(process.execPath, [bin, 'verify', file, '--json', '--jobs', String(jobs)]);
  const rep = JSON.parse(v.stdout);
  // on a shared machine the wall clock depends on the other load: the CPU seconds (user + sys) too
  runs[`jobs${jobs}`] = { seconds: v.s, cpuSeconds: v.cpu, linesPerSec: n / v.s, linesPerCpuSec: n / v.cpu, innerLinesPerSec: rep.linesPerSec, pass: rep.pass, peakRssMiB: v.rssKiB / 1024, ratioToWc: v.s / wc.s, cpuRatioToWc: v.cpu / wc.cpu };
}
const out = { file, bytes: statSync(file).size, lines: n, wc: { seconds: wc.s, cpuSeconds: wc.cpu, linesPerSec: n / wc.s }, ...runs, loadavg1: { before: load0, after: loadavg()[0] }, cores: (await import('node:os')).cpus().length };
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
