/**
 * Seeded sampling of GG(alpha, beta): |X| = alpha * G^(1/beta) with G ~ Gamma(1/beta, 1) and a
 * fair random sign. Gamma deviates come from Marsaglia & Tsang (2000), "A simple method for
 * generating gamma variables"; for shape a < 1 the boost G(a) = G(a + 1) * U^(1/a) is applied
 * in log space so that tiny shapes do not underflow.
 */
import { Rng } from '../util/rng.js';

/** log of a Gamma(a, 1) deviate (a > 0). Working in logs keeps G^(1/beta) exact for tiny G. */
export function logGammaDeviate(rng: Rng, a: number): number {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`gamma shape must be finite and > 0, got ${a}`);
  let boost = 0;
  if (a < 1) {
    let u = 0;
    while (u === 0) u = rng.float();
    boost = Math.log(u) / a;
    a += 1;
  }
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.float();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || (u > 0 && Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v)))) {
      return Math.log(d * v) + boost;
    }
  }
}

/** A Gamma(a, 1) deviate. */
export function gammaDeviate(rng: Rng, a: number): number {
  return Math.exp(logGammaDeviate(rng, a));
}

/** n seeded GG(alpha, beta) samples. */
export function sampleGG(rng: Rng, alpha: number, beta: number, n: number): Float64Array {
  if (!(alpha > 0) || !(beta > 0) || !Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new RangeError(`sampleGG: alpha and beta must be finite and > 0 (got ${alpha}, ${beta})`);
  }
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sampleGG: n must be a non-negative integer, got ${n}`);
  const out = new Float64Array(n);
  const a = 1 / beta;
  const ib = 1 / beta;
  for (let i = 0; i < n; i++) {
    const mag = alpha * Math.exp(logGammaDeviate(rng, a) * ib);
    out[i] = rng.u32() & 1 ? -mag : mag;
  }
  return out;
}
