/**
 * The SQNR sweep behind `rf8 sweep`: seeded GG samples per shape beta, every format of the
 * family under every scale method, next to the Lloyd-Max bound of the law.
 *
 * Convention (the one that reproduces the table of docs/rf8-spec.md): n = 200k samples of
 * GG(alpha = 1, beta) from sampleGG(new Rng(seed)), rounded to float32; SQNR = 10 log10(sum x^2
 * / sum (x - q(x))^2) over the samples; "best" is the best power-of-two scale found by an
 * exhaustive empirical search over X in [X_amax - 24, X_amax + 2].
 */
import { FORMAT_NAMES, RF8_MODES, getFormat, type FormatName } from '../format/index.js';
import { sampleGG } from '../gg/sample.js';
import { fitGG, type GGFit } from '../gg/fit.js';
import { lloydMax, panterDiteSqnrDb } from '../gg/bounds.js';
import { ggAlphaForVariance, ggVariance } from '../gg/dist.js';
import { Rng } from '../util/rng.js';
import { InputError } from '../util/errors.js';
import { amaxScale, maxAbsFinite, empiricalSse, ggChooseScale, ggExpectedMse, scaleCandidates, SseWork, type ScaleMethod } from './scale.js';

export interface SqnrSweepOptions {
  betas: number[];
  /** Samples per beta (default 200000). */
  n?: number;
  /** Seed of the first repeat (default 1); repeat r uses seed + r. */
  seed?: number;
  /** Independent sample sets per beta (default 1); cells report the mean and the range. */
  repeats?: number;
  /** alpha = 1 ('unit', default) or the alpha of unit variance ('unit-variance'). */
  alpha?: 'unit' | 'unit-variance';
  formats?: FormatName[];
  methods?: ScaleMethod[];
  /** Called after each (beta, repeat). */
  onProgress?: (done: number, total: number) => void;
}

export interface SqnrCell {
  /** Mean SQNR over repeats, dB. */
  sqnrDb: number;
  min: number;
  max: number;
  /** Scale chosen in the first repeat. */
  X: number;
}

export interface SqnrFormatRow {
  best: SqnrCell;
  methods: Partial<Record<ScaleMethod, SqnrCell>>;
  /** Expected SQNR under the true law at the best scale for the law (no sampling noise). */
  lawDb: number;
  lawX: number;
}

export interface SqnrSweepRow {
  beta: number;
  alpha: number;
  formats: Partial<Record<FormatName, SqnrFormatRow>>;
  /** rf8 auto: the mode each method picks (first repeat) and the SQNR reached (mean). */
  auto: Partial<Record<ScaleMethod, { format: FormatName; sqnrDb: number; min: number; max: number }>>;
  lloydMaxDb: number;
  panterDiteDb: number;
  /** Lloyd-Max bound minus the best RF8 mode at its best scale. */
  rf8BestGapDb: number;
  /** Mean fitted beta over repeats (MLE). */
  fittedBeta: number;
  /** Time (ms, summed over formats and repeats) of gg vs mse scale selection. */
  timing: { ggMs: number; mseMs: number; fitMs: number };
}

export interface SqnrSweepResult {
  n: number;
  seed: number;
  repeats: number;
  alphaConvention: 'unit' | 'unit-variance';
  formats: FormatName[];
  methods: ScaleMethod[];
  rows: SqnrSweepRow[];
}

const db = (sig: number, err: number): number => 10 * Math.log10(sig / err);

function cellOf(values: number[], X: number): SqnrCell {
  const s = values.reduce((a, b) => a + b, 0);
  return { sqnrDb: s / values.length, min: Math.min(...values), max: Math.max(...values), X };
}

export function runSqnrSweep(opts: SqnrSweepOptions): SqnrSweepResult {
  const n = opts.n ?? 200_000;
  const seed = opts.seed ?? 1;
  const repeats = opts.repeats ?? 1;
  const conv = opts.alpha ?? 'unit';
  const formats = opts.formats ?? [...FORMAT_NAMES];
  const methods = opts.methods ?? (['amax', 'mse', 'gg'] as ScaleMethod[]);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`sweep: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new InputError(`sweep: repeats must be a positive integer, got ${repeats}`);
  for (const b of opts.betas) if (!(b >= 0.05 && b <= 50)) throw new InputError(`sweep: beta ${b} outside [0.05, 50]`);
  for (const f of formats) getFormat(f);
  const work = new SseWork();
  const rows: SqnrSweepRow[] = [];
  const total = opts.betas.length * repeats;
  let done = 0;
  for (const beta of opts.betas) {
    const alpha = conv === 'unit' ? 1 : ggAlphaForVariance(1, beta);
    const best: Record<string, number[]> = {};
    const bestX: Record<string, number> = {};
    const byMethod: Record<string, number[]> = {};
    const methodX: Record<string, number> = {};
    const autoVals: Record<string, number[]> = {};
    const autoFmt: Record<string, FormatName> = {};
    const timing = { ggMs: 0, mseMs: 0, fitMs: 0 };
    let fittedBeta = 0;
    for (let r = 0; r < repeats; r++) {
      const x = Float32Array.from(sampleGG(new Rng(seed + r), alpha, beta, n));
      let sig = 0;
      for (let i = 0; i < n; i++) sig += x[i]! * x[i]!;
      const t0 = performance.now();
      const fit: GGFit = fitGG(x);
      timing.fitMs += performance.now() - t0;
      fittedBeta += fit.beta / repeats;
      const amax = maxAbsFinite(x);
      // per format, per method: X and the empirical SSE at X
      const sseAt = new Map<string, number>();
      const sse = (f: FormatName, X: number): number => {
        const key = `${f}@${X}`;
        let v = sseAt.get(key);
        if (v === undefined) {
          v = empiricalSse(x, f, X, work).sse;
          sseAt.set(key, v);
        }
        return v;
      };
      const crit: Record<string, Record<string, { X: number; c: number }>> = {};
      for (const f of formats) {
        const xa = amaxScale(amax, f);
        let bx = xa;
        let be = Infinity;
        for (let X = Math.max(-128, xa - 24); X <= Math.min(127, xa + 2); X++) {
          const e = sse(f, X);
          if (e < be) [be, bx] = [e, X];
        }
        (best[f] ??= []).push(db(sig, be));
        if (r === 0) bestX[f] = bx;
        crit[f] = {};
        for (const m of methods) {
          let X: number;
          let c: number;
          if (m === 'amax') {
            X = xa;
            c = sse(f, X);
          } else if (m === 'mse') {
            const t1 = performance.now();
            X = xa;
            c = Infinity;
            for (const cand of scaleCandidates(xa)) {
              const e = empiricalSse(x, f, cand, work).sse; // timed as a real search (no cache)
              if (e < c) [c, X] = [e, cand];
            }
            timing.mseMs += performance.now() - t1;
          } else {
            const t1 = performance.now();
            const ch = ggChooseScale(fit, f);
            timing.ggMs += performance.now() - t1;
            X = ch.X;
            c = ch.mse;
          }
          (byMethod[`${f}/${m}`] ??= []).push(db(sig, sse(f, X)));
          if (r === 0) methodX[`${f}/${m}`] = X;
          crit[f]![m] = { X, c };
        }
      }
      // rf8 auto: the mode with the lowest criterion of the method (amax: empirical error at X_amax)
      for (const m of methods) {
        let bf: FormatName | undefined;
        for (const f of RF8_MODES) {
          const c = crit[f]?.[m];
          if (!c) continue;
          if (bf === undefined || c.c < crit[bf]![m]!.c) bf = f;
        }
        if (bf === undefined) continue;
        (autoVals[m] ??= []).push(db(sig, sse(bf, crit[bf]![m]!.X)));
        if (r === 0) autoFmt[m] = bf;
      }
      done++;
      opts.onProgress?.(done, total);
    }
    const lm = lloydMax(1, beta).sqnrDb;
    const frows: Partial<Record<FormatName, SqnrFormatRow>> = {};
    const variance = ggVariance(alpha, beta);
    let rf8Best = -Infinity;
    for (const f of formats) {
      const meth: Partial<Record<ScaleMethod, SqnrCell>> = {};
      for (const m of methods) meth[m] = cellOf(byMethod[`${f}/${m}`]!, methodX[`${f}/${m}`]!);
      let lawDb = -Infinity;
      let lawX = 0;
      const xa = amaxScale(alpha, f);
      for (let X = xa - 30; X <= xa + 10; X++) {
        const s = db(variance, ggExpectedMse(alpha, beta, f, X));
        if (s > lawDb) [lawDb, lawX] = [s, X];
      }
      const bc = cellOf(best[f]!, bestX[f]!);
      frows[f] = { best: bc, methods: meth, lawDb, lawX };
      if (RF8_MODES.includes(f)) rf8Best = Math.max(rf8Best, bc.sqnrDb);
    }
    const auto: SqnrSweepRow['auto'] = {};
    for (const m of methods) {
      const v = autoVals[m];
      if (v) {
        const c = cellOf(v, 0);
        auto[m] = { format: autoFmt[m]!, sqnrDb: c.sqnrDb, min: c.min, max: c.max };
      }
    }
    rows.push({
      beta,
      alpha,
      formats: frows,
      auto,
      lloydMaxDb: lm,
      panterDiteDb: panterDiteSqnrDb(beta),
      rf8BestGapDb: lm - rf8Best,
      fittedBeta,
      timing,
    });
  }
  return { n, seed, repeats, alphaConvention: conv, formats, methods, rows };
}
