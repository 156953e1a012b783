/**
 * Special functions used by the GG statistics, all from the @stdlib packages (ports of the
 * Boost / Cephes implementations), wrapped with the argument order used in this module:
 * regularized lower / upper incomplete gamma P(a, x), Q(a, x) and the inverse of P.
 * The packages are bundled into ./vendor/stdlib-special.ts by scripts/vendor-stdlib.mjs (the
 * same code, so that installing rf8kit does not install ~200 @stdlib packages); the bundle is
 * untyped, so its five functions get their signatures here.
 */
import * as vendor from './vendor/stdlib-special.js';

const gammaincRaw = vendor.gammainc as (x: number, a: number, regularized: boolean, upper: boolean) => number;
const gammaincinvRaw = vendor.gammaincinv as (p: number, a: number, upper: boolean) => number;
const gammalnRaw = vendor.gammaln as (x: number) => number;
const digammaRaw = vendor.digamma as (x: number) => number;
const trigammaRaw = vendor.trigamma as (x: number) => number;

/** Regularized lower incomplete gamma P(a, x) = gamma(a, x) / Gamma(a). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return gammaincRaw(x, a, true, false);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate in the upper tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammaincRaw(x, a, true, true);
}

/** x with P(a, x) = p (upper = true: with Q(a, x) = p). */
export function gammaPInv(p: number, a: number, upper = false): number {
  return gammaincinvRaw(p, a, upper);
}

/** ln Gamma(x) for x > 0. */
export function lnGamma(x: number): number {
  return gammalnRaw(x);
}

/** Digamma psi(x). */
export function digamma(x: number): number {
  return digammaRaw(x);
}

/** Trigamma psi'(x). */
export function trigamma(x: number): number {
  return trigammaRaw(x);
}

/**
 * P(a, u1) - P(a, u0) for 0 <= u0 <= u1, computed from whichever tail avoids cancellation
 * (the mass of a cell far in the upper tail is a difference of two small Q values).
 */
export function gammaPDiff(a: number, u0: number, u1: number): number {
  if (u1 <= u0) return 0;
  if (u0 >= a) return gammaQ(a, u0) - gammaQ(a, u1);
  return gammaP(a, u1) - gammaP(a, u0);
}
