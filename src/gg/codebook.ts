/**
 * The codebook optimizer (docs/rf8-spec.md section 9): the best symmetric saturating
 * nearest-point quantizer with a zero level and `levels` positive magnitudes under GG(alpha, beta),
 * every magnitude a dyadic k * 2^j with k of at most K bits.
 *
 * The mean squared error of a nearest-point quantizer with points 0 = p_0 < p_1 < ... < p_L
 * (saturating above p_L) splits into terms that each depend on two neighbouring points only:
 *   MSE = sum_i C(p_{i-1}, p_i) + T(p_L),
 *   C(p, q) = E[(|X| - p)^2 ; p <= |X| < m] + E[(|X| - q)^2 ; m <= |X| < q],  m = (p + q) / 2,
 *   T(p)    = E[(|X| - p)^2 ; |X| >= p].
 * So the constrained Lloyd-Max problem on the finite grid of K-bit dyadic candidates is a
 * shortest path with exactly L edges through the candidates in increasing order: dynamic
 * programming finds the global optimum on the grid (no local search, no starting point).
 *
 * Exactness: candidates and midpoints are dyadic and exact doubles; the decision points of the
 * resulting quantizer are exact midpoints (the format's encoder compares against them exactly).
 * The costs are real integrals evaluated in floating point (16-point Gauss-Legendre per half
 * cell, incomplete gamma for the tail); the DP compares them with a fixed order and keeps the
 * first minimum, so the same command gives the same table on the same Node.
 */
import { lloydMax } from './bounds.js';
import { ggGridMse } from './bounds.js';
import { ggPartialMoment, ggVariance, ggLogNorm } from './dist.js';

export interface CodebookOptions {
  /** Significand bits of every magnitude (k < 2^K). */
  K: number;
  /** GG shape the codebook is made for. */
  beta: number;
  /** GG scale the codebook is made for at scale exponent X = 0 (default 1). */
  alpha?: number;
  /** Positive magnitudes (default 127: codes 0x01..0x7f). */
  levels?: number;
  /** Largest distance, in grid candidates, between neighbouring levels the DP considers (default 192; an optimum that uses it is an error). */
  window?: number;
}

export interface CodebookResult {
  K: number;
  beta: number;
  alpha: number;
  /** tmin: every magnitude is k * 2^(sh + tmin) with k odd (the smallest significand), sh >= 0. */
  tmin: number;
  /** Per positive code 1..levels, ascending: odd significand k and shift sh. */
  k: number[];
  sh: number[];
  /** The magnitudes k * 2^(sh + tmin) (exact doubles). */
  values: number[];
  /** Expected squared error under GG(alpha, beta) from the DP costs. */
  mse: number;
  sqnrDb: number;
  /** The same quantizer evaluated independently by ggGridMse (incomplete gamma cells). */
  sqnrCheckDb: number;
  /** Unconstrained Lloyd-Max with 2 * levels + 2 levels (256 for 127) under the same law. */
  lloydMaxDb: number;
  /** Candidates on the grid. */
  candidates: number;
}

/** Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n; deterministic). */
function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let j = 2; j <= n; j++) {
        const p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}
const GL = gaussLegendre(16);

/** Exact floor(log2(v)) of a positive finite double (no float log decides it). */
function floorLog2(v: number): number {
  let e = Math.floor(Math.log2(v));
  while (2 ** e > v) e--;
  while (2 ** (e + 1) <= v) e++;
  return e;
}

export function optimizeCodebook(opts: CodebookOptions): CodebookResult {
  const K = opts.K;
  const beta = opts.beta;
  const alpha = opts.alpha ?? 1;
  const L = opts.levels ?? 127;
  if (!Number.isInteger(K) || K < 2 || K > 12) throw new RangeError(`codebook: K must be an integer in [2, 12], got ${K}`);
  if (!(beta > 0 && Number.isFinite(beta))) throw new RangeError(`codebook: bad beta ${beta}`);
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new RangeError(`codebook: bad alpha ${alpha}`);
  if (!Number.isInteger(L) || L < 1 || L > 127) throw new RangeError(`codebook: levels must be an integer in [1, 127], got ${L}`);
  const lm = lloydMax(alpha, beta, 2 * L + 2);
  // candidate range: around the unconstrained points, widened while the optimum touches an edge
  let lo = lm.points[0]! / 8;
  let hi = lm.points[lm.points.length - 1]! * 4;
  for (let attempt = 0; ; attempt++) {
    const r = solveOnGrid(K, beta, alpha, L, lo, hi, lm.sqnrDb, opts.window ?? 192);
    if (r.edge === 0) return r.result;
    if (attempt >= 6) throw new Error(`codebook: optimum at the edge of the candidate range (beta ${beta}, K ${K})`);
    if (r.edge & 1) lo /= 16;
    if (r.edge & 2) hi *= 4;
  }
}

function solveOnGrid(K: number, beta: number, alpha: number, L: number, lo: number, hi: number, lloydMaxDb: number, window: number): { edge: number; result: CodebookResult } {
  const Elo = floorLog2(lo);
  const Ehi = floorLog2(hi);
  const half = 2 ** (K - 1);
  const candN: number[] = [];
  const candE: number[] = [];
  const cand: number[] = [0];
  for (let E = Elo; E <= Ehi; E++) {
    for (let n = half; n < 2 * half; n++) {
      candN.push(n);
      candE.push(E - K + 1);
      cand.push(n * 2 ** (E - K + 1));
    }
  }
  const N = cand.length; // index 0 is the zero level
  // density of |X| (both signs): 2 f(x)
  const logc = ggLogNorm(alpha, beta) + Math.LN2;
  const g = (x: number): number => Math.exp(logc - Math.pow(x / alpha, beta));
  // E[(|X| - c)^2 ; a <= |X| < b] by Gauss-Legendre
  const halfCost = (a: number, b: number, c: number): number => {
    const mid = 0.5 * (a + b);
    const rad = 0.5 * (b - a);
    let s = 0;
    for (let i = 0; i < GL.x.length; i++) {
      const x = mid + rad * GL.x[i]!;
      const d = x - c;
      s += GL.w[i]! * d * d * g(x);
    }
    return s * rad;
  };
  const tail = (p: number): number => {
    const m0 = ggPartialMoment(0, p, Infinity, alpha, beta);
    const m1 = ggPartialMoment(1, p, Infinity, alpha, beta);
    const m2 = ggPartialMoment(2, p, Infinity, alpha, beta);
    return Math.max(0, m2 - 2 * p * m1 + p * p * m0);
  };
  // pair costs C[i][d] = C(cand[i - d], cand[i]) for 1 <= d <= W (the zero level: any distance)
  const W = Math.min(N - 1, window);
  const C = new Float64Array(N * (W + 1));
  for (let i = 1; i < N; i++) {
    const vq = cand[i]!;
    for (let d = 1; d <= Math.min(W, i); d++) {
      const vp = cand[i - d]!;
      const m = 0.5 * (vp + vq);
      C[i * (W + 1) + d] = halfCost(vp, m, vp) + halfCost(m, vq, vq);
    }
  }
  const zeroCost = new Float64Array(N); // C(0, cand[i])
  for (let i = 1; i < N; i++) zeroCost[i] = halfCost(0, 0.5 * cand[i]!, 0) + halfCost(0.5 * cand[i]!, cand[i]!, cand[i]!);
  // DP: best[j][i] = min over p < i of best[j-1][p] + C(p, i); best[0] = [0 at index 0]
  let prev = new Float64Array(N).fill(Infinity);
  prev[0] = 0;
  const back = new Uint16Array(L * N);
  let windowHit = false;
  for (let j = 1; j <= L; j++) {
    const cur = new Float64Array(N).fill(Infinity);
    for (let i = j; i < N; i++) {
      let b = j === 1 ? zeroCost[i]! : Infinity;
      let bp = 0;
      if (j > 1) {
        for (let p = Math.max(j - 1, i - W); p < i; p++) {
          const v = prev[p]! + C[i * (W + 1) + (i - p)]!;
          if (v < b) {
            b = v;
            bp = p;
          }
        }
      }
      cur[i] = b;
      back[(j - 1) * N + i] = bp;
    }
    prev = cur;
  }
  let bestI = -1;
  let best = Infinity;
  for (let i = L; i < N; i++) {
    const v = prev[i]! + tail(cand[i]!);
    if (v < best) {
      best = v;
      bestI = i;
    }
  }
  const idx: number[] = new Array(L);
  for (let j = L, i = bestI; j >= 1; j--) {
    idx[j - 1] = i;
    const p = back[(j - 1) * N + i]!;
    if (j > 1 && i - p >= W) windowHit = true;
    i = p;
  }
  if (windowHit) throw new Error(`codebook: two neighbouring levels ${W} candidates apart (beta ${beta}, K ${K}): widen the window`);
  if (idx[0] === 0 || idx.some((v, i) => i > 0 && v <= idx[i - 1]!)) throw new Error('codebook: DP produced an invalid chain');
  const edge = (idx[0]! <= 1 ? 1 : 0) | (bestI >= N - 1 ? 2 : 0);
  // canonical (k odd, j)
  const kOdd: number[] = [];
  const jOdd: number[] = [];
  for (const i of idx) {
    let n = candN[i - 1]!;
    let e = candE[i - 1]!;
    while (n % 2 === 0) {
      n /= 2;
      e++;
    }
    kOdd.push(n);
    jOdd.push(e);
  }
  const tmin = Math.min(...jOdd);
  const sh = jOdd.map((e) => e - tmin);
  const values = kOdd.map((k, i) => k * 2 ** (sh[i]! + tmin));
  const variance = ggVariance(alpha, beta);
  const check = ggGridMse(alpha, beta, [0, ...values]);
  const result: CodebookResult = {
    K,
    beta,
    alpha,
    tmin,
    k: kOdd,
    sh,
    values,
    mse: best,
    sqnrDb: 10 * Math.log10(variance / best),
    sqnrCheckDb: 10 * Math.log10(variance / check),
    lloydMaxDb,
    candidates: N - 1,
  };
  return { edge, result };
}

/**
 * Expected SQNR (dB) of a codebook's magnitudes (at scale 0) on GG(alpha, beta) at its best
 * power-of-two scale X (searched over [-40, 40]), and that X.
 */
export function codebookLawSqnr(values: readonly number[], alpha: number, beta: number): { sqnrDb: number; X: number } {
  const pts = [0, ...values];
  const variance = ggVariance(alpha, beta);
  let bestX = 0;
  let best = Infinity;
  for (let X = -40; X <= 40; X++) {
    const mse = ggGridMse(alpha * 2 ** -X, beta, pts) * 4 ** X;
    if (mse < best) {
      best = mse;
      bestX = X;
    }
  }
  return { sqnrDb: 10 * Math.log10(variance / best), X: bestX };
}

/**
 * The committed family (docs/rf8-spec.md section 9): K-bit significands, GG shapes, and for
 * each shape `phases` codebooks made for alpha = 2^(j / phases), j = 0 .. phases - 1 (a
 * power-of-two scale cannot move a codebook by less than an octave; the phases cover the rest).
 */
export const CODEBOOK_FAMILY = Object.freeze({
  K: 7,
  betas: Object.freeze([0.3, 0.5, 0.7, 1, 1.4, 2, 3, 4]),
  phases: 4,
});

/** The name of the family member for shape beta and phase j: `cb-b<beta>-p<j>`. */
export function codebookName(beta: number, phase: number): string {
  return `cb-b${beta}-p${phase}`;
}

export interface CodebookEntry {
  name: string;
  beta: number;
  phase: number;
  phases: number;
  K: number;
  tmin: number;
  sqnrDb: number;
  lloydMaxDb: number;
  k: number[];
  sh: number[];
}

/** Make one family member (the DP of optimizeCodebook at alpha = 2^(phase / phases)). */
export function makeCodebookEntry(beta: number, phase: number, K: number = CODEBOOK_FAMILY.K, phases: number = CODEBOOK_FAMILY.phases): CodebookEntry {
  if (!Number.isInteger(phases) || phases < 1 || phases > 16) throw new RangeError(`codebook: phases must be an integer in [1, 16], got ${phases}`);
  if (!Number.isInteger(phase) || phase < 0 || phase >= phases) throw new RangeError(`codebook: phase must be an integer in [0, ${phases - 1}], got ${phase}`);
  const r = optimizeCodebook({ K, beta, alpha: 2 ** (phase / phases) });
  return { name: codebookName(beta, phase), beta, phase, phases, K, tmin: r.tmin, sqnrDb: round3(r.sqnrDb), lloydMaxDb: round3(r.lloydMaxDb), k: r.k, sh: r.sh };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** One entry as the committed source text (one line per field; deterministic). */
export function codebookEntrySource(e: CodebookEntry): string {
  return (
    `  {\n` +
    `    name: '${e.name}',\n` +
    `    beta: ${e.beta},\n` +
    `    phase: ${e.phase},\n` +
    `    phases: ${e.phases},\n` +
    `    K: ${e.K},\n` +
    `    tmin: ${e.tmin},\n` +
    `    sqnrDb: ${e.sqnrDb},\n` +
    `    lloydMaxDb: ${e.lloydMaxDb},\n` +
    `    k: [${e.k.join(', ')}],\n` +
    `    sh: [${e.sh.join(', ')}],\n` +
    `  },\n`
  );
}

export const CODEBOOK_TABLES_PATH = 'src/format/codebook-tables.ts';
export const CODEBOOK_TABLES_COMMAND = `rf8 codebook --family --out ${CODEBOOK_TABLES_PATH}`;

/** The whole committed data file for a list of entries. */
export function codebookTablesSource(entries: readonly CodebookEntry[]): string {
  return (
    `// Generated by \`${CODEBOOK_TABLES_COMMAND}\` (docs/rf8-spec.md section 9). Do not edit:\n` +
    `// regenerate. Each entry: the 127 positive magnitudes k * 2^(sh + tmin) of codes 0x01..0x7f,\n` +
    `// ascending; sqnrDb the expected SQNR under GG(2^(phase/phases), beta), lloydMaxDb the\n` +
    `// unconstrained 256-level Lloyd-Max bound of the same law.\n` +
    `export const CODEBOOK_TABLES = [\n` +
    entries.map(codebookEntrySource).join('') +
    `] as const;\n`
  );
}

/** Every family member, in family order (betas, then phases). */
export function makeCodebookFamily(onProgress?: (done: number, total: number) => void): CodebookEntry[] {
  const out: CodebookEntry[] = [];
  const total = CODEBOOK_FAMILY.betas.length * CODEBOOK_FAMILY.phases;
  for (const b of CODEBOOK_FAMILY.betas)
    for (let j = 0; j < CODEBOOK_FAMILY.phases; j++) {
      out.push(makeCodebookEntry(b, j));
      onProgress?.(out.length, total);
    }
  return out;
}
