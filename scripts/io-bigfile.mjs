#!/usr/bin/env node
// Big-file streaming check for src/io (not run in CI; see scripts/io-bigfile.sh).
//   node scripts/io-bigfile.mjs gen <file> [tensors=32] [rows=4096] [cols=4096]
//       writes a safetensors file of `tensors` F32 [rows, cols] matrices of GG-like values plus
//       one F32 [cols] norm vector per matrix, streaming (never more than 4 MB in memory)
//   node scripts/io-bigfile.mjs fit <file>                 GG fit of every tensor (forEachTensor)
//   node scripts/io-bigfile.mjs quantize <file> <out>      quantizeWeightsFile -> RF8 safetensors
// Uses the built dist/ (npx tsc -p . first).
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { forEachTensor, quantizeWeightsFile, openRf8 } from '../dist/io/index.js';
import { fitGG } from '../dist/gg/index.js';
import { quantizeTensor } from '../dist/quant/index.js';
import { Rng } from '../dist/util/rng.js';

const [cmd, file, ...rest] = process.argv.slice(2);
const mb = (b) => (b / 2 ** 20).toFixed(0);

if (cmd === 'gen') {
  const tensors = Number(rest[0] ?? 32);
  const rows = Number(rest[1] ?? 4096);
  const cols = Number(rest[2] ?? 4096);
  const plan = [];
  let off = 0;
  for (let k = 0; k < tensors; k++) {
    plan.push({ name: `model.layers.${k}.weight`, shape: [rows, cols] });
    plan.push({ name: `model.layers.${k}.norm`, shape: [cols] });
  }
  const header = {};
  for (const p of plan) {
    const n = p.shape.reduce((a, b) => a * b, 1) * 4;
    header[p.name] = { dtype: 'F32', shape: p.shape, data_offsets: [off, off + n] };
    off += n;
  }
  let json = JSON.stringify(header);
  json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  const fd = openSync(file, 'w');
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  writeSync(fd, head);
  writeSync(fd, json);
  const rng = new Rng(20261126);
  const chunk = new Float32Array(1 << 20);
  for (const p of plan) {
    let left = p.shape.reduce((a, b) => a * b, 1);
    const scale = p.shape.length === 1 ? 1 : 0.02;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      for (let i = 0; i < n; i++) {
        const g = rng.normal();
        chunk[i] = p.shape.length === 1 ? 1 + 0.1 * g : Math.sign(g) * Math.abs(g) ** 1.8 * scale; // peaky, heavy-tailed
      }
      writeSync(fd, new Uint8Array(chunk.buffer, 0, 4 * n));
      left -= n;
    }
  }
  fsyncSync(fd);
  closeSync(fd);
  console.log(`wrote ${file}: ${plan.length} tensors, ${mb(8 + json.length + off)} MiB`);
} else if (cmd === 'fit') {
  let n = 0;
  let peak = 0;
  const t0 = performance.now();
  forEachTensor(file, (info, data) => {
    const f = fitGG(data);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (n++ % 8 === 0) console.error(`${info.name}: beta ${f.beta.toFixed(3)} alpha ${f.alpha.toExponential(3)} rss ${mb(process.memoryUsage().rss)} MiB`);
  });
  console.log(JSON.stringify({ cmd, tensors: n, seconds: (performance.now() - t0) / 1000, sampledPeakRssMiB: Number(mb(peak)) }));
} else if (cmd === 'quantize') {
  const out = rest[0];
  const method = rest[1] ?? 'gg';
  const t0 = performance.now();
  let peak = 0;
  const s = quantizeWeightsFile({
    input: file,
    output: out,
    decide: (info) => (info.shape.length >= 2 ? { kind: 'rf8', granularity: 'tensor' } : { kind: 'float' }),
    quantize: (info, data) => {
      const q = quantizeTensor(data, info.shape, { format: 'auto', scaleMethod: method, perRow: false });
      return { format: q.format, codes: q.codes, scales: q.scales, extra: { sqnr_db: Number(q.sqnrDb.toFixed(3)) } };
    },
    onTensor: (info, i) => {
      peak = Math.max(peak, process.memoryUsage().rss);
      if (i % 16 === 0) console.error(`${i}: ${info.name} rss ${mb(process.memoryUsage().rss)} MiB`);
    },
  });
  const rf = openRf8(out);
  const modes = {};
  for (const t of rf.rf8) modes[t.format] = (modes[t.format] ?? 0) + 1;
  rf.close();
  console.log(JSON.stringify({ cmd, ...s, modes, seconds: (performance.now() - t0) / 1000, sampledPeakRssMiB: Number(mb(peak)) }));
} else {
  console.error('usage: io-bigfile.mjs gen|fit|quantize <file> ...');
  process.exit(2);
}
