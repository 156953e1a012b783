import { join } from 'node:path';
import {
  BINARY32,
  CODEBOOK_NAMES,
  CORE_FORMAT_NAMES,
  codebookTables,
  ROUNDINGS,
  SPEC_VERSION,
  encodeFromBits,
  formatTables,
  getFormat,
  residualTables,
  roundingMode,
  sqrt2FloorBig,
  type Format,
  type FormatName,
  type Rounding,
} from '../format/index.js';
import { accToBinary32Bits, accToFormat } from '../arith/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { planFor, type CvtPlan } from './fastcvt.js';

/**
 * The DPI-C reference model (`rf8 dpi --out DIR`): a C file and a SystemVerilog package generated
 * from the TS reference. Everything format-specific is a table emitted from the reference:
 * formatTables (k, sh, sign, NaN of every code); for the layout formats the conversion plans of
 * fastcvt.ts (the pattern of every (sign, payload), zero, overflow patterns, saturating and
 * non-saturating, obtained by calling the reference rounding); for the residual format (the
 * authors' rf8) residualTables (the R code of every second term 2^-d by sign, the distinct
 * magnitudes' midpoints and codes for `nearest`) and floor(sqrt(2) * 2^b) from the reference's
 * exact isqrt; for the table kind (the GG codebooks) the codebook's (k, sh) decode table and its
 * 127 midpoints (codebookTables: nearest, ties to the smaller magnitude, saturating); the NaN / infinity / zero / saturation codes of the policy; the rounding mode
 * numbers and which formats accept them. The C code holds only the arithmetic the reference
 * specifies, on exact integers (no float step decides a rounding): the product
 * k_a*k_b << (sh_a+sh_b), the clamped W-bit sum with sticky flags (128-bit intermediate), the binade
 * rounding of roundMagnitude (RNE, RTZ, SR), and the greedy / nearest rounding of roundResidual.
 * test/verify/dpi.test.ts compiles it with the system cc and checks it against the TS reference:
 * products of every pair of SAMPLE_FORMAT_NAMES (and codebook pairs) exhaustively, the decode
 * tables of every format, every line of every committed DUT and encode suite, the codebooks'
 * on-demand suites, conversions and encodings of every format.
 *
 * Limits: accumulators up to W = 64 bits (int64: every exact-width pair but ocp-e5m2 x ocp-e5m2,
 * whose products are still given exactly, as rf8_product_hi:rf8_product), single-format
 * operands (no mode switching).
 */
export interface DpiFiles {
  c: string;
  sv: string;
  check: string;
  formats: FormatName[];
}

const id = (n: string): string => n.toUpperCase().replace(/[^A-Z0-9]/g, '_');
const arr = (xs: ArrayLike<number | bigint>, per = 16, suffix = ''): string => {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i += per) out.push('  ' + Array.from({ length: Math.min(per, xs.length - i) }, (_, j) => String(xs[i + j]!) + suffix).join(', '));
  return out.join(',\n');
};

/** The DPI rounding-mode number of a rounding name (the reference's own mode numbers). */
export function dpiRounding(r: Rounding): number {
  return roundingMode(r);
}

function planC(name: string, p: CvtPlan): string[] {
  const L: string[] = [];
  if (p.pattern) L.push(`static const uint32_t ${name}_pat[${p.pattern.length}] = {\n${arr(p.pattern)}\n};`);
  L.push(
    `static const rf8_plan ${name} = { ${p.m}, ${p.emin}, ${p.bias}, ${p.fixedQ ? 1 : 0}, ${p.maxPayload}u, ${p.pattern ? `${name}_pat` : 'NULL'}, ${p.signValue}u, { ${p.zero[0]}u, ${p.zero[1]}u }, { ${p.over[0]}u, ${p.over[1]}u } };`,
  );
  return L;
}

/**
 * The formats of the DPI model, in index order: the core formats (CORE_FORMAT_NAMES), then the GG
 * codebooks (CODEBOOK_NAMES, spec section 9), so a core format keeps its index.
 */
export const DPI_FORMATS: readonly FormatName[] = Object.freeze([...CORE_FORMAT_NAMES, ...CODEBOOK_NAMES]);

/** The residual kind's tables (src/format/residual.ts) as C. */
function resC(name: string, f: Format): string[] {
  const t = residualTables(f);
  const pol = f.policy;
  if (t.mids.length && t.mids[t.mids.length - 1]! >= 2 ** 32) throw new Error(`dpi: ${f.name}: a nearest midpoint does not fit 32 bits`);
  return [
    `static const int8_t ${name}_rof[${t.rOf.length}] = { ${Array.from(t.rOf).join(', ')} };`,
    `static const uint32_t ${name}_mids[${t.mids.length}] = {\n${arr(t.mids, 12, 'u')}\n};`,
    `static const uint8_t ${name}_codes[${t.codes.length}] = {\n${arr(t.codes)}\n};`,
    `static const rf8_res ${name} = { ${f.bias}, ${f.m}, ${t.Emax}, ${t.dMax}, ${f.tmin}, ${name}_rof, ${t.mids.length}, ${name}_mids, ${name}_codes, ${pol.zero[0]}u, { ${pol.ovfSat[0]}u, ${pol.ovfSat[1]}u }, ${2 ** (f.bits - 1)}u };`,
  ];
}

/**
 * The table kind's nearest rounding (a GG codebook, src/format/codebook.ts) as the same midpoint
 * table: the 127 midpoints in units of 2^(tmin - 2), payload = the number of midpoints below the
 * magnitude (ties to the smaller; 127 past the last: saturating). The residual fields (bias, m,
 * Emax, dMax, the R table) are unused: the format accepts only `nearest`.
 */
function tableC(name: string, f: Format): string[] {
  const t = codebookTables(f);
  const pol = f.policy;
  const mids = Array.from(t.mids);
  if (mids[mids.length - 1]! >= 2 ** 32) throw new Error(`dpi: ${f.name}: a midpoint does not fit 32 bits`);
  const codes = Array.from({ length: mids.length + 1 }, (_, p) => p);
  return [
    `static const uint32_t ${name}_mids[${mids.length}] = {\n${arr(mids, 12, 'u')}\n};`,
    `static const uint8_t ${name}_codes[${codes.length}] = {\n${arr(codes)}\n};`,
    `static const rf8_res ${name} = { 0, ${f.m}, 0, 0, ${f.tmin}, NULL, ${mids.length}, ${name}_mids, ${name}_codes, ${pol.zero[0]}u, { ${pol.ovfSat[0]}u, ${pol.ovfSat[1]}u }, ${2 ** (f.bits - 1)}u };`,
  ];
}

/** The midpoint-table emitter of each decoder kind without a layout plan (null: the kind rounds by a plan). */
const MIDPOINT_TABLES: Record<Format['policy']['decoder'], ((name: string, f: Format) => string[]) | null> = {
  float: null,
  twos: null,
  residual: resC,
  table: tableC,
};

export function dpiSources(): DpiFiles {
  const names = [...DPI_FORMATS];
  const fmts = names.map((n) => getFormat(n));
  const modes = ROUNDINGS.map((r) => ({ r, n: roundingMode(r) }));
  const L: string[] = [];
  L.push(`/* rf8_ref.c: the rf8kit reference model for SystemVerilog DPI-C (spec ${SPEC_VERSION}), generated by \`rf8 dpi\`.`);
  L.push(' * Tables come from the TypeScript reference (src/format, src/arith, src/verify-hw/fastcvt.ts); do not edit.');
  L.push(' * Formats (index): ' + names.map((n, i) => `${i} ${n}`).join(', ') + '.');
  L.push(' * Rounding modes: ' + modes.map((m) => `${m.n} ${m.r}`).join(', ') + '. */');
  L.push('#include <stdint.h>');
  L.push('#include <stdlib.h>');
  L.push('#include <string.h>');
  L.push('#include <math.h>');
  L.push('');
  L.push(`#define RF8_NFMT ${names.length}`);
  for (const m of modes) L.push(`#define RF8_RND_${id(m.r)} ${m.n}`);
  L.push('typedef struct { int m, emin, bias, fixedQ; uint32_t maxPayload; const uint32_t* pat; uint32_t signValue; uint32_t zero[2], over[2]; } rf8_plan;');
  L.push('/* the midpoint tables of the residual kind (greedy: bias..rOf; nearest: tmin, mids, codes) and of the table kind (a GG codebook: nearest only) */');
  L.push('typedef struct { int bias, m, Emax, dMax, tmin; const int8_t* rOf; int nmids; const uint32_t* mids; const uint8_t* codes; uint32_t zero, sat[2], signValue; } rf8_res;');
  L.push(
    'typedef struct { uint16_t k[256]; uint8_t sh[256], sign[256], nan[256]; int tmin; int nanCode; unsigned rnd; int defRnd; int encNan[2][2], encInf[2][2]; const rf8_plan* plan[2]; const rf8_res* res; } rf8_fmt;',
  );
  // floor(sqrt(2) * 2^b), b = 0..63: the greedy thresholds of round_log2 on 64-bit magnitudes
  L.push(`static const uint64_t RF8_SQRT2[64] = {\n${arr(Array.from({ length: 64 }, (_, b) => sqrt2FloorBig(b)), 4, 'ull')}\n};`);
  const fmtRows: string[] = [];
  fmts.forEach((f, i) => {
    const t = formatTables(f);
    const pol = f.policy;
    L.push(`/* ${f.name} */`);
    const pl = [planFor(f, false), planFor(f, true)];
    pl.forEach((p, nz) => p && L.push(...planC(`rf8_plan_${i}_${nz}`, p)));
    const tab = MIDPOINT_TABLES[pol.decoder];
    const res = tab !== null;
    if (tab) L.push(...tab(`rf8_res_${i}`, f));
    const enc = (bits: number, nz: number): number => encodeFromBits(f, 'f32', bits, { overflow: nz ? 'nonsat' : 'sat' });
    const pair = (b: number, nz: number): string => `{ ${enc(b, nz)}, ${enc((b | 0x80000000) >>> 0, nz)} }`;
    const rnd = pol.roundings.reduce((m, r) => m | (1 << roundingMode(r)), 0);
    fmtRows.push(
      `  { /* ${f.name} */ { ${Array.from(t.k).join(', ')} },\n    { ${Array.from(t.sh).join(', ')} },\n    { ${Array.from(t.sign).join(', ')} },\n    { ${Array.from(t.nan).join(', ')} },\n` +
        `    ${f.tmin}, ${accToFormat(0n, true, 0, f, 0, false)}, ${rnd}u, ${roundingMode(pol.defaultRounding)}, { ${pair(0x7fc00000, 0)}, ${pair(0x7fc00000, 1)} }, { ${pair(0x7f800000, 0)}, ${pair(0x7f800000, 1)} },\n` +
        `    { ${pl.map((p, nz) => (p ? `&rf8_plan_${i}_${nz}` : 'NULL')).join(', ')} }, ${res ? `&rf8_res_${i}` : 'NULL'} }`,
    );
  });
  const p32 = planFor(BINARY32, true)!;
  L.push(...planC('rf8_plan_f32', p32));
  L.push(`static const rf8_fmt RF8_FMT[RF8_NFMT] = {\n${fmtRows.join(',\n')}\n};`);
  L.push(`#define RF8_F32_NAN ${accToBinary32Bits(0n, true, 0) >>> 0}u`);
  L.push(`
#define RF8_BL(x) (64 - __builtin_clzll(x)) /* bit length of x > 0 */

/* M / 2^d (d >= 1) rounded to an integer by mode (RNE, RTZ, or SR with u of r bits): the rounding
   step of roundMagnitude, on exact integers (rem < 2^d, 128-bit products) */
static uint64_t rf8_rshift(uint64_t M, int d, int mode, uint64_t u, int r) {
  uint64_t n0 = d >= 64 ? 0 : M >> d;
  uint64_t rem = d >= 64 ? M : M & ((1ull << d) - 1);
  if (mode == RF8_RND_RTZ || rem == 0) return n0;
  if (mode == RF8_RND_RNE) {
    if (d > 64) return n0; /* rem < 2^64 <= half */
    unsigned __int128 half = (unsigned __int128)1 << (d - 1);
    return rem > half ? n0 + 1 : rem < half ? n0 : n0 + (n0 & 1);
  }
  /* SR: n0 + 1 iff rem / 2^d >= (2^r - u) / 2^r, i.e. rem * 2^r >= (2^r - u) * 2^d */
  uint64_t c = (1ull << r) - u;
  if (RF8_BL(c) - 1 + d >= 64 + r) return n0; /* (2^r - u) * 2^d >= 2^(64 + r) > rem * 2^r */
  return ((unsigned __int128)rem << r) >= ((unsigned __int128)c << d) ? n0 + 1 : n0;
}

/* M * 2^e (M > 0) into a layout plan: the binade arithmetic of roundMagnitude on exact integers */
static uint32_t rf8_round(const rf8_plan* p, int neg, uint64_t M, int e, int mode, uint64_t u, int r) {
  if (M == 0) return p->zero[neg];
  int bl = RF8_BL(M);
  int Q, E = 0;
  if (p->fixedQ) Q = 0;
  else {
    int lg = e + bl - 1;
    if (lg < p->emin) Q = p->emin - p->m;
    else { Q = lg - p->m; E = lg + p->bias; }
  }
  int s = e - Q;
  uint64_t n;
  if (s >= 0) {
    if (bl + s > 62) return p->over[neg]; /* n >= 2^61: past every payload */
    n = M << s;
  } else n = rf8_rshift(M, -s, mode, u, r);
  if (n == 0) return p->zero[neg];
  uint64_t payload = E == 0 ? n : (uint64_t)E * (1ull << p->m) + n - (1ull << p->m);
  if (payload > p->maxPayload) return p->over[neg];
  return p->pat ? p->pat[(neg ? p->maxPayload + 1 : 0) + payload] : (uint32_t)(neg ? payload + p->signValue : payload);
}

/* M * 2^s > m exactly (M > 0; m > 0 below 2^32) */
static int rf8_above(uint64_t M, int s, uint64_t m) {
  if (s >= 0) return s >= 32 || RF8_BL(M) + s > 64 || (M << s) > m;
  int d = -s;
  if (RF8_BL(m) + d > 64) return 0; /* m * 2^d >= 2^64 > M */
  return M > (m << d);
}

/* M * 2^e (M > 0) into the residual kind, greedy or nearest: roundResidual on exact integers */
static int rf8_round_res(const rf8_res* t, int neg, uint64_t M, int e, int mode) {
  if (M == 0) return (int)t->zero;
  int payload;
  if (mode == RF8_RND_GREEDY) {
    /* e1 = round_log2(M * 2^e): b = floor(log2 M), one up iff M > floor(sqrt(2) * 2^b) */
    int b = RF8_BL(M) - 1, up = M > RF8_SQRT2[b];
    int e1 = e + b + up, E = e1 + t->bias;
    if (E <= 0) return (int)t->zero;
    if (E > t->Emax) return (int)t->sat[neg];
    uint64_t rm = up ? (b == 63 ? (uint64_t)0 - M : (2ull << b) - M) : M - (1ull << b); /* |r| / 2^e: 2^(b+1) - M or M - 2^b */
    int R = 0;
    if (rm) {
      int b2 = RF8_BL(rm) - 1;
      int d = e1 - (e + b2 + (rm > RF8_SQRT2[b2]));
      if (d <= t->dMax) {
        R = t->rOf[2 * d + up];
        if (R < 0) return -1; /* impossible second term (the reference throws) */
      }
    }
    payload = (E << t->m) | R;
  } else if (mode == RF8_RND_NEAREST) {
    /* count the midpoints (units 2^(tmin - 2)) below the value */
    int s = e - (t->tmin - 2), lo = 0, hi = t->nmids;
    while (lo < hi) {
      int mid = (lo + hi) >> 1;
      if (rf8_above(M, s, t->mids[mid])) lo = mid + 1;
      else hi = mid;
    }
    payload = t->codes[lo];
  } else return -1;
  return payload == 0 ? (int)t->zero : neg ? payload + (int)t->signValue : payload;
}

static int okf(int f) { return f >= 0 && f < RF8_NFMT; }
static int rf8_mode_ok(const rf8_fmt* F, int mode) { return mode >= 0 && mode < 31 && ((F->rnd >> mode) & 1u); }
/* a format's rounding of M * 2^e: the residual tables or the layout plan (saturating or not) */
static int rf8_round_fmt(const rf8_fmt* F, int neg, uint64_t M, int e, int mode, int nonsat, uint64_t u, int r) {
  if (F->res) return rf8_round_res(F->res, neg, M, e, mode);
  if (!F->plan[nonsat]) return -1;
  return (int)rf8_round(F->plan[nonsat], neg, M, e, mode, u, r);
}
/* the exact product (|P| < 2^70 for every pair) */
static __int128 rf8_prod128(const rf8_fmt* A, const rf8_fmt* B, int ca, int cb) {
  __int128 p = (__int128)((unsigned)A->k[ca] * B->k[cb]) << (A->sh[ca] + B->sh[cb]);
  return (A->sign[ca] != B->sign[cb]) ? -p : p;
}

#ifdef __cplusplus
extern "C" {  /* the DPI names (Verilator compiles this file as C++) */
#endif

/* ---- decode */
int rf8_nformats(void) { return RF8_NFMT; }
int rf8_decode_k(int f, int c) { return okf(f) ? RF8_FMT[f].k[c & 255] : -1; }
int rf8_decode_sh(int f, int c) { return okf(f) ? RF8_FMT[f].sh[c & 255] : -1; }
int rf8_decode_sign(int f, int c) { return okf(f) ? RF8_FMT[f].sign[c & 255] : -1; }
int rf8_decode_nan(int f, int c) { return okf(f) ? RF8_FMT[f].nan[c & 255] : -1; }
int rf8_tmin(int f) { return okf(f) ? RF8_FMT[f].tmin : 0; }
/* the format's default rounding mode (RF8_RND_*), and whether it accepts a mode */
int rf8_default_rounding(int f) { return okf(f) ? RF8_FMT[f].defRnd : -1; }
int rf8_has_rounding(int f, int mode) { return okf(f) ? rf8_mode_ok(&RF8_FMT[f], mode) : 0; }
/* exact value of a code at scale X (NaN for NaN and infinity codes, which carry no finite product) */
double rf8_decode_value(int f, int c, int X) {
  if (!okf(f)) return NAN;
  const rf8_fmt* F = &RF8_FMT[f];
  c &= 255;
  if (F->nan[c]) return NAN;
  double v = ldexp((double)F->k[c], F->sh[c] + F->tmin + X);
  return F->sign[c] ? -v : v;
}
/* ---- encode: binary32 bits -> code at scale X, any rounding the format accepts (SR: u of r bits,
   1 <= r <= 52), saturating or not (nonsat: OCP's non-saturating mode); -1 for a bad argument */
int rf8_encode_f32_r(int f, unsigned int bits, int X, int mode, int nonsat, unsigned long long u, int r) {
  if (!okf(f)) return -1;
  const rf8_fmt* F = &RF8_FMT[f];
  nonsat = nonsat ? 1 : 0;
  if (!rf8_mode_ok(F, mode) || (!F->res && !F->plan[nonsat])) return -1;
  if (mode == RF8_RND_SR && (r < 1 || r > 52 || u >= (1ull << r))) return -1;
  int neg = (bits >> 31) & 1, ex = (bits >> 23) & 255;
  uint64_t mant = bits & 0x7fffff;
  if (ex == 255) return mant ? F->encNan[nonsat][neg] : F->encInf[nonsat][neg];
  uint64_t M = ex ? mant | 0x800000 : mant;
  int e = ex ? ex - 150 : -149;
  return rf8_round_fmt(F, neg, M, e - X, mode, nonsat, u, r);
}
/* the format's default rounding (RNE; greedy for rf8), saturating */
int rf8_encode_f32(int f, unsigned int bits, int X) { return okf(f) ? rf8_encode_f32_r(f, bits, X, RF8_FMT[f].defRnd, 0, 0, 8) : -1; }
/* ---- product: P = +-(ka*kb) << (sha+shb) in accumulator LSB units (0 and nan = 1 for NaN / infinity):
   rf8_product is its low 64 bits (all of it when it fits int64: every pair but ocp-e5m2 x ocp-e5m2), rf8_product_hi the high 64 */
long long rf8_product(int fa, int fb, int ca, int cb) {
  if (!okf(fa) || !okf(fb)) return 0;
  const rf8_fmt *A = &RF8_FMT[fa], *B = &RF8_FMT[fb];
  ca &= 255; cb &= 255;
  if (A->nan[ca] || B->nan[cb]) return 0;
  return (long long)(uint64_t)rf8_prod128(A, B, ca, cb);
}
long long rf8_product_hi(int fa, int fb, int ca, int cb) {
  if (!okf(fa) || !okf(fb)) return 0;
  const rf8_fmt *A = &RF8_FMT[fa], *B = &RF8_FMT[fb];
  ca &= 255; cb &= 255;
  if (A->nan[ca] || B->nan[cb]) return 0;
  return (long long)(rf8_prod128(A, B, ca, cb) >> 64);
}
int rf8_product_nan(int fa, int fb, int ca, int cb) { return okf(fa) && okf(fb) ? (RF8_FMT[fa].nan[ca & 255] | RF8_FMT[fb].nan[cb & 255]) : 1; }
/* ---- output conversions (spec sections 5 and 8.4): value = acc * 2^T, exact; -1 for a bad argument */
int rf8_acc_to_format_r(int f, long long acc, int nan, int T, int Xo, int relu, int mode) {
  if (!okf(f)) return -1;
  const rf8_fmt* F = &RF8_FMT[f];
  if (mode == RF8_RND_SR || !rf8_mode_ok(F, mode) || (!F->res && !F->plan[0])) return -1;
  if (nan) return F->nanCode;
  if (acc == 0 || (relu && acc < 0)) return 0;
  int neg = acc < 0;
  return rf8_round_fmt(F, neg, neg ? (uint64_t)0 - (uint64_t)acc : (uint64_t)acc, T - Xo, mode, 0, 0, 8);
}
/* the format's default rounding (RNE; greedy for rf8) */
int rf8_acc_to_format(int f, long long acc, int nan, int T, int Xo, int relu) { return okf(f) ? rf8_acc_to_format_r(f, acc, nan, T, Xo, relu, RF8_FMT[f].defRnd) : -1; }
unsigned int rf8_acc_to_f32(long long acc, int nan, int T) {
  if (nan) return RF8_F32_NAN;
  if (acc == 0) return 0;
  return acc < 0 ? rf8_round(&rf8_plan_f32, 1, (uint64_t)0 - (uint64_t)acc, T, RF8_RND_RNE, 0, 8) : rf8_round(&rf8_plan_f32, 0, (uint64_t)acc, T, RF8_RND_RNE, 0, 8);
}
double rf8_acc_value(long long acc, int T) { return ldexp((double)acc, T); }
/* ---- the N-lane MAC (spec section 4): A <- clamp(A + sum of enabled lanes' products), sticky nan / ovf;
   the lane sum and A + S are exact 128-bit integers, A has W <= 64 bits */
typedef struct { int fa, fb, W, lanes; long long acc; __int128 hi, lo; int nan, ovf; int a[32], b[32]; } rf8_mac;
void* rf8_mac_new(int fa, int fb, int W, int lanes) {
  if (!okf(fa) || !okf(fb) || W < 2 || W > 64 || lanes < 1 || lanes > 32) return NULL;
  rf8_mac* m = (rf8_mac*)calloc(1, sizeof(rf8_mac));
  m->fa = fa; m->fb = fb; m->W = W; m->lanes = lanes;
  m->hi = ((__int128)1 << (W - 1)) - 1; m->lo = -((__int128)1 << (W - 1));
  return m;
}
void rf8_mac_free(void* h) { free(h); }
void rf8_mac_clear(void* h, long long init) { rf8_mac* m = (rf8_mac*)h; m->acc = init; m->nan = 0; m->ovf = 0; }
void rf8_mac_lane(void* h, int lane, int a, int b) { rf8_mac* m = (rf8_mac*)h; if (lane >= 0 && lane < 32) { m->a[lane] = a & 255; m->b[lane] = b & 255; } }
void rf8_mac_step(void* h, int mask) {
  rf8_mac* m = (rf8_mac*)h;
  const rf8_fmt *A = &RF8_FMT[m->fa], *B = &RF8_FMT[m->fb];
  __int128 S = 0;
  for (int i = 0; i < m->lanes; i++) {
    if (!((unsigned)mask >> i & 1u)) continue;
    if (A->nan[m->a[i]] || B->nan[m->b[i]]) m->nan = 1;
    else S += rf8_prod128(A, B, m->a[i], m->b[i]);
  }
  __int128 v = (__int128)m->acc + S;
  if (v > m->hi) { v = m->hi; m->ovf = 1; }
  else if (v < m->lo) { v = m->lo; m->ovf = 1; }
  m->acc = (long long)v;
}
long long rf8_mac_acc(void* h) { return ((rf8_mac*)h)->acc; }
int rf8_mac_flags(void* h) { rf8_mac* m = (rf8_mac*)h; return m->nan | (m->ovf << 1); }
#ifdef __cplusplus
}
#endif
`);
  const c = L.join('\n') + '\n';
  const S: string[] = [];
  S.push(`// rf8_ref_pkg.sv: SystemVerilog DPI-C imports of rf8_ref.c (generated by \`rf8 dpi\`, spec ${SPEC_VERSION}).`);
  S.push('package rf8_ref_pkg;');
  names.forEach((n, i) => S.push(`  localparam int RF8_${id(n)} = ${i};`));
  for (const m of modes) S.push(`  localparam int RF8_RND_${id(m.r)} = ${m.n};`);
  S.push('  import "DPI-C" function int rf8_nformats();');
  for (const fn of ['k', 'sh', 'sign', 'nan']) S.push(`  import "DPI-C" function int rf8_decode_${fn}(int f, int c);`);
  S.push('  import "DPI-C" function int rf8_tmin(int f);');
  S.push('  import "DPI-C" function int rf8_default_rounding(int f);');
  S.push('  import "DPI-C" function int rf8_has_rounding(int f, int mode);');
  S.push('  import "DPI-C" function real rf8_decode_value(int f, int c, int x);');
  S.push('  import "DPI-C" function int rf8_encode_f32(int f, int unsigned bits, int x);');
  S.push('  import "DPI-C" function int rf8_encode_f32_r(int f, int unsigned bits, int x, int mode, int nonsat, longint unsigned u, int r);');
  S.push('  import "DPI-C" function longint rf8_product(int fa, int fb, int ca, int cb);');
  S.push('  import "DPI-C" function longint rf8_product_hi(int fa, int fb, int ca, int cb);');
  S.push('  import "DPI-C" function int rf8_product_nan(int fa, int fb, int ca, int cb);');
  S.push('  import "DPI-C" function int rf8_acc_to_format(int f, longint acc, int nan, int t, int xo, int relu);');
  S.push('  import "DPI-C" function int rf8_acc_to_format_r(int f, longint acc, int nan, int t, int xo, int relu, int mode);');
  S.push('  import "DPI-C" function int unsigned rf8_acc_to_f32(longint acc, int nan, int t);');
  S.push('  import "DPI-C" function real rf8_acc_value(longint acc, int t);');
  S.push('  import "DPI-C" function chandle rf8_mac_new(int fa, int fb, int w, int lanes);');
  S.push('  import "DPI-C" function void rf8_mac_free(chandle m);');
  S.push('  import "DPI-C" function void rf8_mac_clear(chandle m, longint init);');
  S.push('  import "DPI-C" function void rf8_mac_lane(chandle m, int lane, int a, int b);');
  S.push('  import "DPI-C" function void rf8_mac_step(chandle m, int mask);');
  S.push('  import "DPI-C" function longint rf8_mac_acc(chandle m);');
  S.push('  import "DPI-C" function int rf8_mac_flags(chandle m);');
  S.push('endpackage');
  const sv = S.join('\n') + '\n';
  return { c, sv, check: checkDriver(names), formats: names };
}

/** A small C driver (linked with rf8_ref.c) that recomputes suite files and dumps tables, for the CI test. */
function checkDriver(names: FormatName[]): string {
  return `/* rf8_ref_check.c: test driver of rf8_ref.c (generated by \`rf8 dpi\`).
 *   rf8_ref_check products [F...]         every pair of the formats F (default all; fa-major), 65536 binary records each (index (ca << 8) | cb)
 *                                         of 3 uint32 (host order): nan | neg << 1 | wide << 2, |P| mod 2^32, |P| >> 32
 *   rf8_ref_check decode F                256 lines: k sh sign nan
 *   rf8_ref_check suite FILE FA FB W N F32 OUT...   recompute every expected field of a DUT suite (OUT: F or F:MODE);
 *                                         prints 'ok LINES' or the first differing line
 *   rf8_ref_check encode FILE F MODE NONSAT R       an encode suite (f32 X code, SR: f32 X u code)
 *   rf8_ref_check cvt FILE                lines 'F MODE ACC NAN T XO RELU' (decimal): one output code per line
 * Format indices: ${names.map((n, i) => `${i} ${n}`).join(', ')}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
int rf8_decode_k(int, int); int rf8_decode_sh(int, int); int rf8_decode_sign(int, int); int rf8_decode_nan(int, int);
int rf8_tmin(int); int rf8_default_rounding(int); int rf8_encode_f32_r(int, unsigned, int, int, int, unsigned long long, int);
long long rf8_product(int, int, int, int); long long rf8_product_hi(int, int, int, int); int rf8_product_nan(int, int, int, int);
int rf8_acc_to_format_r(int, long long, int, int, int, int, int); unsigned rf8_acc_to_f32(long long, int, int);
void* rf8_mac_new(int, int, int, int); void rf8_mac_clear(void*, long long); void rf8_mac_lane(void*, int, int, int);
void rf8_mac_step(void*, int); long long rf8_mac_acc(void*); int rf8_mac_flags(void*);
#define RF8_NFMT_CHECK ${names.length}
static int sx8(unsigned v) { return v >= 128 ? (int)v - 256 : (int)v; }
static int hex2(const char* s, int j) { char t[3] = { s[j], s[j + 1], 0 }; return (int)strtoul(t, 0, 16); }
int main(int argc, char** argv) {
  if (argc >= 2 && !strcmp(argv[1], "products")) {
    /* every pair (fa, fb) of the listed formats (default: all), fa-major; |P| < 2^64 for every pair */
    static uint32_t rec[65536][3];
    int list[RF8_NFMT_CHECK], n = 0;
    for (int i = 2; i < argc && n < RF8_NFMT_CHECK; i++) list[n++] = atoi(argv[i]);
    if (argc == 2) for (int i = 0; i < RF8_NFMT_CHECK; i++) list[n++] = i;
    for (int ia = 0; ia < n; ia++) for (int ib = 0; ib < n; ib++) {
      int fa = list[ia], fb = list[ib];
      for (int a = 0; a < 256; a++) for (int b = 0; b < 256; b++) {
        long long hi = rf8_product_hi(fa, fb, a, b);
        uint64_t lo = (uint64_t)rf8_product(fa, fb, a, b);
        int neg = hi < 0;
        uint64_t mag = neg ? (uint64_t)0 - lo : lo;
        uint32_t* r = rec[(a << 8) | b];
        /* a magnitude past 64 bits is flagged (bit 2): the test fails on it */
        r[0] = (uint32_t)(rf8_product_nan(fa, fb, a, b) | neg << 1 | ((neg ? hi != -1 || lo == 0 : hi != 0) ? 4 : 0));
        r[1] = (uint32_t)mag;
        r[2] = (uint32_t)(mag >> 32);
      }
      fwrite(rec, sizeof rec, 1, stdout);
    }
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "decode")) {
    int f = atoi(argv[2]);
    for (int c = 0; c < 256; c++) printf("%d %d %d %d\\n", rf8_decode_k(f, c), rf8_decode_sh(f, c), rf8_decode_sign(f, c), rf8_decode_nan(f, c));
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "cvt")) {
    FILE* fp = fopen(argv[2], "r"); char line[256];
    if (!fp) return 2;
    while (fgets(line, sizeof line, fp)) {
      int f, mode, nan, T, Xo, relu; long long acc;
      if (sscanf(line, "%d %d %lld %d %d %d %d", &f, &mode, &acc, &nan, &T, &Xo, &relu) != 7) return 2;
      printf("%d\\n", rf8_acc_to_format_r(f, acc, nan, T, Xo, relu, mode));
    }
    return 0;
  }
  if (argc >= 7 && !strcmp(argv[1], "encode")) {
    FILE* fp = fopen(argv[2], "r"); int f = atoi(argv[3]), mode = atoi(argv[4]), nonsat = atoi(argv[5]), r = atoi(argv[6]); char line[256]; long n = 0, ln = 0;
    int sr = mode == ${roundingMode('sr')};
    if (!fp) return 2;
    while (fgets(line, sizeof line, fp)) {
      ln++;
      if (line[0] == '#' || line[0] == '\\n') continue;
      unsigned bits, X, code, u = 0;
      if (sr ? sscanf(line, "%x %x %x %x", &bits, &X, &u, &code) != 4 : sscanf(line, "%x %x %x", &bits, &X, &code) != 3) return 2;
      int got = rf8_encode_f32_r(f, bits, sx8(X), mode, nonsat, u, r);
      if (got != (int)code) { printf("line %ld: %s  got %02x\\n", ln, line, got); return 1; }
      n++;
    }
    printf("ok %ld\\n", n);
    return 0;
  }
  if (argc >= 8 && !strcmp(argv[1], "suite")) {
    FILE* fp = fopen(argv[2], "r");
    int fa = atoi(argv[3]), fb = atoi(argv[4]), W = atoi(argv[5]), N = atoi(argv[6]), f32 = atoi(argv[7]);
    int K = argc - 8, outs[16], modes[16];
    if (K > 16) return 2;
    for (int k = 0; k < K; k++) {
      char* colon = strchr(argv[8 + k], ':');
      outs[k] = atoi(argv[8 + k]);
      modes[k] = colon ? atoi(colon + 1) : rf8_default_rounding(outs[k]);
    }
    if (!fp) return 2;
    void* m = rf8_mac_new(fa, fb, W, N);
    if (!m) return 2;
    rf8_mac_clear(m, 0);
    static char line[4096];
    long n = 0, ln = 0;
    unsigned long long wmask = (W == 64) ? ~0ull : ((1ull << W) - 1);
    while (fgets(line, sizeof line, fp)) {
      ln++;
      if (line[0] == '#' || line[0] == '\\n') continue;
      unsigned ctl, xa, xb, xo, mask, flags; unsigned long long init, acc; char a[80], b[80], f32s[16], outs_s[64];
      if (sscanf(line, "%x %x %x %x %llx %x %79s %79s %llx %x %15s %63s", &ctl, &xa, &xb, &xo, &init, &mask, a, b, &acc, &flags, f32s, outs_s) != 12) return 2;
      init &= wmask;
      long long iv = (long long)(W < 64 && (init >> (W - 1) & 1) ? init | ~wmask : init);
      if (ctl & 1) rf8_mac_clear(m, iv);
      for (int i = 0; i < N; i++) { int j = (int)strlen(a) - 2 * (i + 1); rf8_mac_lane(m, i, hex2(a, j), hex2(b, j)); }
      rf8_mac_step(m, (int)mask);
      long long A = rf8_mac_acc(m); int fl = rf8_mac_flags(m);
      int T = rf8_tmin(fa) + rf8_tmin(fb) + sx8(xa) + sx8(xb);
      int bad = ((unsigned long long)A & wmask) != acc || fl != (int)flags;
      if (f32 && strtoul(f32s, 0, 16) != rf8_acc_to_f32(A, fl & 1, T)) bad = 1;
      for (int k = 0; k < K; k++) {
        int j = (int)strlen(outs_s) - 2 * (k + 1);
        if (hex2(outs_s, j) != rf8_acc_to_format_r(outs[k], A, fl & 1, T, sx8(xo), (ctl >> 2) & 1, modes[k])) bad = 1;
      }
      if (bad) { printf("line %ld: %s", ln, line); return 1; }
      n++;
    }
    printf("ok %ld\\n", n);
    return 0;
  }
  fprintf(stderr, "usage: rf8_ref_check products [F...] | decode F | suite FILE FA FB W N F32 OUT... | encode FILE F MODE NONSAT R | cvt FILE\\n");
  return 2;
}
`;
}

/** Write rf8_ref.c, rf8_ref_pkg.sv and rf8_ref_check.c into a folder (atomically each). */
export function writeDpi(dir: string): { files: string[]; formats: FormatName[] } {
  const d = dpiSources();
  const files = [join(dir, 'rf8_ref.c'), join(dir, 'rf8_ref_pkg.sv'), join(dir, 'rf8_ref_check.c')];
  writeFileAtomic(files[0]!, d.c);
  writeFileAtomic(files[1]!, d.sv);
  writeFileAtomic(files[2]!, d.check);
  return { files, formats: d.formats };
}

/** The format index of the DPI model (-1 for a format it does not hold). */
export function dpiIndex(f: Format | string): number {
  return (DPI_FORMATS as readonly string[]).indexOf(getFormat(f as Format).name);
}

