// Throughput of the bit-exact reference, as ratios to memory-bound baselines measured in the
// same run (docs: README "Benchmarks"). Run: npm run build && node bench/reference.mjs [--json]
import { encodeArray, decodeArray } from '../dist/format/index.js';
import { dot, accWidth, productTable } from '../dist/arith/index.js';
import { Rng } from '../dist/util/rng.js';

const N = 1 << 22; // 4 Mi elements
const rng = new Rng(42);
const src = new Float32Array(N);
for (let i = 0; i < N; i++) src[i] = rng.normal() * 0.05;
const codes = new Uint8Array(N);
const dstF = new Float32Array(N);

function best(fn, reps = 7) {
  fn(); // warm-up
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return t;
}

const copy = best(() => dstF.set(src));
const enc = best(() => encodeArray('rf8-e3m4', src, { scale: -6 }, codes));
// the authors' RF8 (residual), greedy and nearest, same input and scale (ratio to rf8-e3m4 of this run)
const codesR = new Uint8Array(N);
const encRf8 = best(() => encodeArray('rf8', src, { scale: -6, rounding: 'greedy' }, codesR));
const encRf8n = best(() => encodeArray('rf8', src, { scale: -6, rounding: 'nearest' }, codesR));
const dec = best(() => decodeArray('rf8-e3m4', codes, -6, dstF));

// dot products: 4096-term vectors, exact (W from the bound, so no clamp is possible)
const L = 4096;
const a = codes.subarray(0, L);
const b = codes.subarray(L, 2 * L);
const af = new Float64Array(L).map((_, i) => src[i]);
const bf = new Float64Array(L).map((_, i) => src[L + i]);
const W = accWidth('rf8-e3m4', 'rf8-e3m4', L).W;
productTable('rf8-e3m4', 'rf8-e3m4');
const REPS = 2000;
let sink = 0;
const f64dot = best(() => {
  for (let r = 0; r < REPS; r++) {
    let s = 0;
    for (let i = 0; i < L; i++) s += af[i] * bf[i];
    sink += s;
  }
});
const exact1 = best(() => {
  for (let r = 0; r < REPS; r++) sink += Number(dot('rf8-e3m4', a, 'rf8-e3m4', b, { W, lanes: 1 }).acc);
});
// a narrow accumulator forces the cycle-by-cycle clamping path (8 lanes)
const clamped = best(() => {
  for (let r = 0; r < REPS / 10; r++) sink += Number(dot('rf8-e3m4', a, 'rf8-e3m4', b, { W: 20, lanes: 8 }).acc);
}, 3);

const res = {
  elements: N,
  copyGBps: (N * 4) / copy / 1e9,
  encode: { MeltPerS: N / enc / 1e6, ratioToCopy: copy / enc },
  encodeRf8Greedy: { MeltPerS: N / encRf8 / 1e6, ratioToCopy: copy / encRf8, ratioToE3m4: enc / encRf8 },
  encodeRf8Nearest: { MeltPerS: N / encRf8n / 1e6, ratioToCopy: copy / encRf8n, ratioToE3m4: enc / encRf8n },
  decode: { MeltPerS: N / dec / 1e6, ratioToCopy: copy / dec },
  dotExact: { MmacPerS: (L * REPS) / exact1 / 1e6, ratioToF64Dot: f64dot / exact1 },
  dotClampedLanes8: { MmacPerS: ((L * REPS) / 10) / clamped / 1e6, ratioToF64Dot: f64dot / 10 / clamped },
  f64DotMmacPerS: (L * REPS) / f64dot / 1e6,
  sink: sink !== 0,
};
if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
else {
  console.log(`Float32Array copy          ${res.copyGBps.toFixed(2)} GB/s (baseline)`);
  console.log(`encode f32 -> rf8-e3m4 RNE ${res.encode.MeltPerS.toFixed(1)} M/s   = ${res.encode.ratioToCopy.toFixed(3)} x copy`);
  console.log(`encode f32 -> rf8 greedy   ${res.encodeRf8Greedy.MeltPerS.toFixed(1)} M/s   = ${res.encodeRf8Greedy.ratioToCopy.toFixed(3)} x copy = ${res.encodeRf8Greedy.ratioToE3m4.toFixed(3)} x rf8-e3m4`);
  console.log(`encode f32 -> rf8 nearest  ${res.encodeRf8Nearest.MeltPerS.toFixed(1)} M/s   = ${res.encodeRf8Nearest.ratioToCopy.toFixed(3)} x copy = ${res.encodeRf8Nearest.ratioToE3m4.toFixed(3)} x rf8-e3m4`);
  console.log(`decode rf8-e3m4 -> f32     ${res.decode.MeltPerS.toFixed(1)} M/s   = ${res.decode.ratioToCopy.toFixed(3)} x copy`);
  console.log(`float64 dot loop           ${res.f64DotMmacPerS.toFixed(1)} M MAC/s (baseline)`);
  console.log(`exact dot (W=${W})          ${res.dotExact.MmacPerS.toFixed(1)} M MAC/s = ${res.dotExact.ratioToF64Dot.toFixed(3)} x float64 dot`);
  console.log(`exact dot, clamping, 8 lanes ${res.dotClampedLanes8.MmacPerS.toFixed(1)} M MAC/s = ${res.dotClampedLanes8.ratioToF64Dot.toFixed(3)} x float64 dot`);
}
