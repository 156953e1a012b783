import { InputError } from '../util/errors.js';
import { fromF32Bits, getFormat, type Format, type FormatName, type Rounding } from '../format/index.js';
import { Mac, maxMagnitudeUnits, productTable } from './mac.js';
import { accToBinary32Bits, accToFormat, biasToAcc } from './convert.js';

type Fmt = Format | FormatName;

export interface DotOptions {
  W: number;
  lanes?: number;
  init?: bigint;
}

export interface DotResult {
  acc: bigint;
  nan: boolean;
  ovf: boolean;
}

/**
 * Dot product of two code vectors on the N-lane MAC (spec section 4), starting from `init`:
 * the vectors are fed N pairs a cycle in order, the last cycle partially valid. Bit-identical to
 * stepping a `Mac`; takes a straight double sum when a bound proves that no clamp can happen and
 * every partial sum is exact.
 */
export function dot(fa: Fmt, a: Uint8Array, fb: Fmt, b: Uint8Array, opts: DotOptions): DotResult {
  if (a.length !== b.length) throw new InputError(`dot: vectors differ in length: ${a.length} vs ${b.length}`);
  const A = getFormat(fa);
  const B = getFormat(fb);
  const W = opts.W;
  const lanes = opts.lanes ?? 1;
  const init = opts.init ?? 0n;
  const n = a.length;
  if (!Number.isInteger(W) || W < 2 || W > 1024) throw new InputError(`dot: accumulator width W must be an integer in [2, 1024]: ${W}`);
  // Straight sum: no clamp possible (|init| + n*max|P| <= 2^(W-1) - 1) and exact in doubles.
  // (Checked in doubles with a margin: every quantity here is an integer below 2^60.)
  const initN = Number(init);
  const boundN = Math.abs(initN) + n * maxMagnitudeUnits(A) * maxMagnitudeUnits(B);
  if (boundN < 2 ** 52 && boundN <= 2 ** (W - 1) - 1 && (init === 0n || Math.abs(initN) < 2 ** 52)) {
    const t = productTable(A, B);
    let s = initN;
    let nan = false;
    for (let i = 0; i < n; i++) {
      const p = t[(a[i]! << 8) | b[i]!]!;
      if (p !== p) nan = true;
      else s += p;
    }
    return { acc: BigInt(s), nan, ovf: false };
  }
  const mac = new Mac({ a: A, b: B, W, lanes });
  mac.clear(init);
  const la = new Uint8Array(lanes);
  const lb = new Uint8Array(lanes);
  for (let i = 0; i < n; i += lanes) {
    const cnt = Math.min(lanes, n - i);
    for (let j = 0; j < cnt; j++) {
      la[j] = a[i + j]!;
      lb[j] = b[i + j]!;
    }
    mac.step(la, lb, cnt === 32 ? 0xffffffff : (2 ** cnt - 1) >>> 0);
  }
  return { acc: mac.acc, nan: mac.nan, ovf: mac.ovf };
}

/** One layer y = act(W x + b) of spec section 6, in RF8 end to end. */
export interface LayerSpec {
  wFormat: FormatName;
  rows: number;
  cols: number;
  /** rows x cols codes, row-major. */
  wCodes: Uint8Array;
  /** One scale exponent per row. */
  wScales: Int8Array;
  /** binary32 biases, one per row (optional). */
  bias?: Float32Array;
  /**
   * The bias of every row already in accumulator units (W-bit two's complement range), instead of
   * `bias`: what rf8_layer's init memory holds, independent of the input scale (the mutation
   * campaign's layer runs one init image at several input scales).
   */
  accInit?: bigint[];
  xFormat: FormatName;
  /** Accumulator width. */
  W: number;
  /** MAC lanes (clamping is per cycle, so lanes matter only when a clamp happens). */
  lanes?: number;
  /** Output: binary32, or an 8-bit code of `format` at `scale` (rounding: the format's default, RNE; greedy for rf8; or the one given). */
  out: { kind: 'f32' } | { kind: 'rf8'; format: FormatName; scale: number; relu: boolean; rounding?: Rounding };
}

export interface LayerResult {
  /** Output codes (rf8 output) or binary32 values (f32 output). */
  out: Uint8Array | Float32Array;
  acc: bigint[];
  nan: Uint8Array;
  ovf: Uint8Array;
}

export function validateLayer(spec: LayerSpec): void {
  const { rows, cols } = spec;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) throw new InputError(`layer: bad shape ${rows}x${cols}`);
  if (spec.wCodes.length !== rows * cols) throw new InputError(`layer: ${spec.wCodes.length} weight codes for a ${rows}x${cols} layer`);
  if (spec.wScales.length !== rows) throw new InputError(`layer: ${spec.wScales.length} row scales for ${rows} rows`);
  if (spec.bias && spec.bias.length !== rows) throw new InputError(`layer: ${spec.bias.length} biases for ${rows} rows`);
  if (spec.accInit) {
    if (spec.bias) throw new InputError('layer: give bias or accInit, not both');
    if (spec.accInit.length !== rows) throw new InputError(`layer: ${spec.accInit.length} accumulator inits for ${rows} rows`);
    const lim = 1n << BigInt(spec.W - 1);
    for (const v of spec.accInit) if (typeof v !== 'bigint' || v < -lim || v >= lim) throw new InputError(`layer: accumulator init ${v} is outside the ${spec.W}-bit range`);
  }
  getFormat(spec.wFormat);
  getFormat(spec.xFormat);
  if (spec.out.kind === 'rf8') {
    const fo = getFormat(spec.out.format);
    const rd = spec.out.rounding;
    if (rd !== undefined && (rd === 'sr' || !fo.policy.roundings.includes(rd))) throw new InputError(`layer: output rounding '${rd}' is not available for format ${fo.name}`);
  }
}

/** The golden model of one layer on one input vector (codes of `xFormat` at scale `xScale`). */
export function layerForward(spec: LayerSpec, x: Uint8Array, xScale: number): LayerResult {
  validateLayer(spec);
  const { rows, cols } = spec;
  if (x.length !== cols) throw new InputError(`layer: input has ${x.length} elements, layer takes ${cols}`);
  const wf = getFormat(spec.wFormat);
  const xf = getFormat(spec.xFormat);
  const acc: bigint[] = new Array(rows);
  const nan = new Uint8Array(rows);
  const ovf = new Uint8Array(rows);
  const out = spec.out.kind === 'f32' ? new Float32Array(rows) : new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const T = wf.tmin + xf.tmin + spec.wScales[r]! + xScale;
    const init = spec.accInit ? spec.accInit[r]! : spec.bias ? biasToAcc(spec.bias[r]!, T, spec.W) : 0n;
    const row = spec.wCodes.subarray(r * cols, (r + 1) * cols);
    const d = dot(wf, row, xf, x, { W: spec.W, lanes: spec.lanes ?? 1, init });
    acc[r] = d.acc;
    nan[r] = d.nan ? 1 : 0;
    ovf[r] = d.ovf ? 1 : 0;
    if (spec.out.kind === 'f32') out[r] = fromF32Bits(accToBinary32Bits(d.acc, d.nan, T));
    else out[r] = accToFormat(d.acc, d.nan, T, spec.out.format, spec.out.scale, spec.out.relu, spec.out.rounding);
  }
  return { out, acc, nan, ovf };
}
