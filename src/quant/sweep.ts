/**
 * The SQNR sweep behind `rf8 sweep`: seeded GG samples per shape beta, every format (the
 * authors' rf8 with both its roundings, greedy and nearest, beside the GG float modes and the
 * baselines) under every scale method, next to the Lloyd-Max bound of the law.
 *
 * Columns: every format with its default rounding (`formats[f]`), plus one column per extra
 * rounding the format's policy offers (`variants['<format>:<rounding>']`; default extra:
 * `nearest`, which only rf8 offers). The GG codebooks (spec section 9) join only when listed;
 * each row then also has `codebook`: the best one and the one `auto` picks among them.
 *
 * Convention (the one that reproduces the table of docs/rf8-spec.md): n = 200k samples of
 * GG(alpha = 1, beta) from sampleGG(new Rng(seed)), rounded to float32; SQNR = 10 log10(sum x^2
 * / sum (x - q(x))^2) over the samples; "best" is the best power-of-two scale found by an
 * exhaustive empirical search over X in [X_amax - 24, X_amax + 2].
 */
import { CORE_FORMAT_NAMES, GG_MODES, getFormat, type FormatName, type Rounding } from '../format/index.js';
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
  /** Default CORE_FORMAT_NAMES (the GG codebooks only when listed: CODEBOOK_NAMES). */
  formats?: FormatName[];
  /** Extra roundings: a column for every format that offers one (default ['nearest']: rf8 nearest beside rf8 greedy). */
  roundings?: Rounding[];
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

/** One column of the sweep: a format with one of its roundings. */
export interface SqnrColumn {
  /** `format` for its default rounding, `format:rounding` otherwise. */
  key: string;
  format: FormatName;
  rounding: Rounding;
}

export interface SqnrSweepRow {
  beta: number;
  alpha: number;
  /** Each format with its default rounding (RNE; greedy for rf8). */
  formats: Partial<Record<FormatName, SqnrFormatRow>>;
  /** The extra-rounding columns by key (`rf8:nearest`). */
  variants: Partial<Record<string, SqnrFormatRow>>;
  /** rf8 auto: the mode each method picks (first repeat) and the SQNR reached (mean). */
  auto: Partial<Record<ScaleMethod, { format: FormatName; sqnrDb: number; min: number; max: number }>>;
  lloydMaxDb: number;
  panterDiteDb: number;
  /** Lloyd-Max bound minus the best GG float mode at its best scale. */
  rf8BestGapDb: number;
  /**
   * The GG codebooks among the formats (spec section 9): the best one at its best scale, and the
   * one `auto` picks among the codebooks by the gg criterion (absent without codebook formats).
   */
  codebook?: { best: { format: FormatName; sqnrDb: number; gapDb: number; lawGapDb: number; lawFormat: FormatName }; gg?: { format: FormatName; sqnrDb: number; X: number } };
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
  /** Every column in order: each format, its extra roundings right after it. */
  columns: SqnrColumn[];
  methods: ScaleMethod[];
  rows: SqnrSweepRow[];
}

/** The columns of a sweep: each format with its default rounding, then the extras it offers. */
export function sweepColumns(formats: readonly FormatName[], extra: readonly Rounding[] = ['nearest']): SqnrColumn[] {
  const out: SqnrColumn[] = [];
  for (const f of formats) {
    const pol = getFormat(f).policy;
    out.push({ key: f, format: f, rounding: pol.defaultRounding });
    for (const r of extra) if (r !== pol.defaultRounding && r !== 'sr' && pol.roundings.includes(r)) out.push({ key: `${f}:${r}`, format: f, rounding: r });
  }
  return out;
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
  const formats = opts.formats ?? [...CORE_FORMAT_NAMES];
  const methods = opts.methods ?? (['amax', 'mse', 'gg'] as ScaleMethod[]);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`sweep: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new InputError(`sweep: repeats must be a positive integer, got ${repeats}`);
  for (const b of opts.betas) if (!(b >= 0.05 && b <= 50)) throw new InputError(`sweep: beta ${b} outside [0.05, 50]`);
  for (const f of formats) getFormat(f);
  const columns = sweepColumns(formats, opts.roundings);
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
    let cbX = 0;
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
      const sse = (col: SqnrColumn, X: number): number => {
        const key = `${col.key}@${X}`;
        let v = sseAt.get(key);
        if (v === undefined) {
          v = empiricalSse(x, col.format, X, work, col.rounding).sse;
          sseAt.set(key, v);
        }
        return v;
      };
      const crit: Record<string, Record<string, { X: number; c: number }>> = {};
      for (const col of columns) {
        const f = col.key;
        const xa = amaxScale(amax, col.format);
        let bx = xa;
        let be = Infinity;
        // a codebook's best scale is searched within 3 of its gg choice (its error is unimodal in X; 7 passes, not 27)
        const near = getFormat(col.format).codebook ? ggChooseScale(fit, col.format, col.rounding).X : undefined;
        for (let X = Math.max(-128, xa - 24, near === undefined ? -128 : near - 3); X <= Math.min(127, xa + 2, near === undefined ? 127 : near + 3); X++) {
          const e = sse(col, X);
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
            c = sse(col, X);
          } else if (m === 'mse') {
            const t1 = performance.now();
            X = xa;
            c = Infinity;
            for (const cand of scaleCandidates(xa)) {
              const e = empiricalSse(x, col.format, cand, work, col.rounding).sse; // timed as a real search (no cache)
              if (e < c) [c, X] = [e, cand];
            }
            timing.mseMs += performance.now() - t1;
          } else {
            const t1 = performance.now();
            const ch = ggChooseScale(fit, col.format, col.rounding);
            timing.ggMs += performance.now() - t1;
            X = ch.X;
            c = ch.mse;
          }
          (byMethod[`${f}/${m}`] ??= []).push(db(sig, sse(col, X)));
          if (r === 0) methodX[`${f}/${m}`] = X;
          crit[f]![m] = { X, c };
        }
      }
      // auto: the GG float mode with the lowest criterion of the method (amax: empirical error at X_amax)
      const byKey = new Map(columns.map((c) => [c.key, c]));
      for (const m of methods) {
        let bf: FormatName | undefined;
        for (const f of GG_MODES) {
          const c = crit[f]?.[m];
          if (!c) continue;
          if (bf === undefined || c.c < crit[bf]![m]!.c) bf = f;
        }
        if (bf === undefined) continue;
        (autoVals[m] ??= []).push(db(sig, sse(byKey.get(bf)!, crit[bf]![m]!.X)));
        if (r === 0) autoFmt[m] = bf;
      }
      // codebook auto: the codebook with the lowest gg criterion
      if (methods.includes('gg')) {
        let bc: FormatName | undefined;
        for (const f of formats) if (getFormat(f).codebook && crit[f]?.gg && (bc === undefined || crit[f]!.gg!.c < crit[bc]!.gg!.c)) bc = f;
        if (bc !== undefined) {
          (autoVals['cb-gg'] ??= []).push(db(sig, sse(byKey.get(bc)!, crit[bc]!.gg!.X)));
          if (r === 0) [autoFmt['cb-gg'], cbX] = [bc, crit[bc]!.gg!.X];
        }
      }
      done++;
      opts.onProgress?.(done, total);
    }
    const lm = lloydMax(1, beta).sqnrDb;
    const frows: Partial<Record<FormatName, SqnrFormatRow>> = {};
    const vrows: Partial<Record<string, SqnrFormatRow>> = {};
    const variance = ggVariance(alpha, beta);
    let rf8Best = -Infinity;
    for (const col of columns) {
      const f = col.key;
      const meth: Partial<Record<ScaleMethod, SqnrCell>> = {};
      for (const m of methods) meth[m] = cellOf(byMethod[`${f}/${m}`]!, methodX[`${f}/${m}`]!);
      let lawDb = -Infinity;
      let lawX = 0;
      const xa = amaxScale(alpha, col.format);
      // (a codebook's best X for the law can sit far above X_amax(alpha) on heavy tails: made for X = 0 at alpha ~ 1)
      for (let X = xa - 30; X <= xa + (getFormat(col.format).codebook ? 30 : 10); X++) {
        const s = db(variance, ggExpectedMse(alpha, beta, col.format, X, Infinity, undefined, col.rounding));
        if (s > lawDb) [lawDb, lawX] = [s, X];
      }
      const bc = cellOf(best[f]!, bestX[f]!);
      const row = { best: bc, methods: meth, lawDb, lawX };
      if (f === col.format) frows[col.format] = row;
      else vrows[f] = row;
      if (f === col.format && GG_MODES.includes(col.format)) rf8Best = Math.max(rf8Best, bc.sqnrDb);
    }
    // the best codebook on the samples, and (free of sampling noise) under the exact law
    let cbBest: { format: FormatName; sqnrDb: number; gapDb: number; lawGapDb: number; lawFormat: FormatName } | undefined;
    let lawBest: FormatName | undefined;
    for (const f of formats) {
      if (!getFormat(f).codebook) continue;
      if (!cbBest || frows[f]!.best.sqnrDb > cbBest.sqnrDb) cbBest = { format: f, sqnrDb: frows[f]!.best.sqnrDb, gapDb: lm - frows[f]!.best.sqnrDb, lawGapDb: NaN, lawFormat: f };
      if (!lawBest || frows[f]!.lawDb > frows[lawBest]!.lawDb) lawBest = f;
    }
    if (cbBest && lawBest) [cbBest.lawGapDb, cbBest.lawFormat] = [lm - frows[lawBest]!.lawDb, lawBest];
    const cbAuto = autoVals['cb-gg'];
    const codebook: SqnrSweepRow['codebook'] = cbBest
      ? { best: cbBest, ...(cbAuto ? { gg: { format: autoFmt['cb-gg']!, sqnrDb: cellOf(cbAuto, 0).sqnrDb, X: cbX } } : {}) }
      : undefined;
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
      variants: vrows,
      auto,
      lloydMaxDb: lm,
      panterDiteDb: panterDiteSqnrDb(beta),
      rf8BestGapDb: lm - rf8Best,
      ...(codebook ? { codebook } : {}),
      fittedBeta,
      timing,
    });
  }
  return { n, seed, repeats, alphaConvention: conv, formats, columns, methods, rows };
}
