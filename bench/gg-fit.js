#!/usr/bin/env node
// Fit time: rf8kit fitGG (MLE) vs scipy.stats.gennorm.fit(floc=0) on the same 1e6 samples,
// measured in one run on this machine. Needs `npx tsc -p .`; scipy from Debian's python3-scipy.
//   node bench/gg-fit.js [--json] [--repeats 5] [--python /usr/bin/python3]
// Each case: the seed and GG(alpha, beta) of test/fixtures/gg/scipy-gennorm.json. Our time is
// the median of --repeats fits (wall clock, performance.now, the fit alone); scipy's is one
// gennorm.fit (time.perf_counter around the call, after np.fromfile), in a separate python
// process started per case.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Rng } from '../dist/util/rng.js';
import { sampleGG, fitGG } from '../dist/gg/index.js';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : def;
};
const json = argv.includes('--json');
const repeats = Number(opt('--repeats', 5));
const python = opt('--python', '/usr/bin/python3');
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/gg/scipy-gennorm.json', import.meta.url), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'rf8-gg-bench-'));
const PY = `
import sys, time, numpy as np
from scipy import stats
x = np.fromfile(sys.argv[1], dtype='<f8')
t0 = time.perf_counter(); b, loc, s = stats.gennorm.fit(x, floc=0); dt = time.perf_counter() - t0
print(f"{dt} {b} {s}")
`;
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const rows = [];
try {
  for (const c of fixture.cases) {
    const x = sampleGG(new Rng(c.seed), c.alpha, c.beta, c.n);
    const times = [];
    let f;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      f = fitGG(x);
      times.push(performance.now() - t0);
    }
    const path = join(dir, `gg-${c.seed}.f64`);
    writeFileSync(path, new Uint8Array(x.buffer));
    const py = spawnSync(python, ['-c', PY, path], { encoding: 'utf8' });
    let scipy = null;
    if (py.status === 0) {
      const [dt, b, s] = py.stdout.trim().split(' ').map(Number);
      scipy = { ms: dt * 1000, beta: b, alpha: s };
    } else process.stderr.write(`scipy unavailable (${python}): ${py.stderr.split('\n').filter(Boolean).pop() ?? py.error}\n`);
    rows.push({ beta: c.beta, n: c.n, ours: { ms: median(times), beta: f.beta, alpha: f.alpha, passes: f.passes }, scipy, speedup: scipy ? scipy.ms / median(times) : null });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (json) process.stdout.write(JSON.stringify({ repeats, rows }, null, 2) + '\n');
else {
  console.log('beta   n        fitGG ms (median)  passes  scipy gennorm.fit ms  speedup  rel. diff beta  rel. diff alpha');
  for (const r of rows) {
    const d = (a, b) => (b ? ((a / b - 1) * 100).toFixed(4) + '%' : '-');
    console.log(
      `${String(r.beta).padEnd(6)} ${String(r.n).padEnd(8)} ${r.ours.ms.toFixed(1).padStart(17)}  ${String(r.ours.passes).padStart(6)}  ${(r.scipy ? r.scipy.ms.toFixed(0) : '-').padStart(20)}  ${(r.speedup ? r.speedup.toFixed(1) + 'x' : '-').padStart(7)}  ${d(r.ours.beta, r.scipy?.beta).padStart(14)}  ${d(r.ours.alpha, r.scipy?.alpha).padStart(15)}`,
    );
  }
}
