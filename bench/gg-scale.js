#!/usr/bin/env node
// Scale selection time and quality: gg (GG fit + expected error, no second pass) vs mse (11
// empirical encode passes), on seeded GG samples, every format. Needs `npx tsc -p .`.
//   node bench/gg-scale.js [--n 1000000] [--json]
// Times are medians of 3 runs (wall clock); "loss" is the SQNR lost by gg's scale against the
// best empirical power-of-two scale.
import { Rng } from '../dist/util/rng.js';
import { sampleGG } from '../dist/gg/index.js';
import { chooseScaleDetailed, empiricalSse, amaxScale, maxAbsFinite } from '../dist/quant/index.js';
import { FORMAT_NAMES } from '../dist/format/index.js';

const argv = process.argv.slice(2);
const nIdx = argv.indexOf('--n');
const n = nIdx >= 0 ? Number(argv[nIdx + 1]) : 1_000_000;
const json = argv.includes('--json');
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const rows = [];
for (const beta of [0.5, 1, 2]) {
  const x = Float32Array.from(sampleGG(new Rng(7), 0.02, beta, n));
  for (const f of FORMAT_NAMES) {
    const tg = [];
    const tm = [];
    let g;
    let m;
    for (let r = 0; r < 3; r++) {
      let t0 = performance.now();
      m = chooseScaleDetailed(x, f, 'mse');
      tm.push(performance.now() - t0);
      t0 = performance.now();
      g = chooseScaleDetailed(x, f, 'gg');
      tg.push(performance.now() - t0);
    }
    const xa = amaxScale(maxAbsFinite(x), f);
    let best = Infinity;
    for (let X = xa - 20; X <= xa + 2; X++) best = Math.min(best, empiricalSse(x, f, X).sse);
    const loss = 10 * Math.log10(empiricalSse(x, f, g.X).sse / best);
    rows.push({ beta, format: f, n, ggMs: median(tg), mseMs: median(tm), ggX: g.X, mseX: m.X, lossDb: loss });
  }
}
if (json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  console.log(`n = ${n}`);
  console.log('beta  format     gg ms   mse ms  speedup  X(gg)  X(mse)  gg loss dB');
  for (const r of rows) {
    console.log(
      `${String(r.beta).padEnd(5)} ${r.format.padEnd(9)} ${r.ggMs.toFixed(1).padStart(6)} ${r.mseMs.toFixed(1).padStart(8)} ${(r.mseMs / r.ggMs).toFixed(1).padStart(7)}x ${String(r.ggX).padStart(6)} ${String(r.mseX).padStart(7)} ${r.lossDb.toFixed(3).padStart(11)}`,
    );
  }
}
