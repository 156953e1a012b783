import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { getFormat, type Format, type Rounding } from '../format/index.js';
import { makeF32Converter, makeFormatConverter } from './fastcvt.js';
import { Mac, ModeMac, accToBinary32Bits, accToFormat } from '../arith/index.js';
import { resolveConfig, type RtlConfig, type RtlOptions } from '../rtl/index.js';
import { InputError } from '../util/errors.js';
import { decodeMismatch, type DecodedMismatch, type HarnessReport } from '../sim/cosim.js';

/**
 * `rf8 verify RESULTS` (TestFloat's testfloat_ver): check a results file written by any
 * simulator or board against the reference. Every expected field is recomputed from the inputs
 * (src/arith Mac / ModeMac and the output conversions); the result fields of the file are only
 * compared, never trusted. Streams the file in fixed buffers (flat memory), parses bytes, no
 * per-line allocation on the fast path (W <= 53: the accumulator is an exact double).
 *
 * Line format (the golden suite line, docs/golden.md): ctl xa xb xo init mask a b acc flags f32 out
 * - result fields are compared on lines with `last` (ctl bit1) only; a '-' field (or a missing
 *   trailing field) is not checked; inside `out`, a '--' pair leaves that code unchecked;
 * - the minimal format: the 8 input fields alone on lines without `last`, and on lines with it
 *   the design's outputs, '-' for those it does not have.
 * The configuration comes from the '#' header of the suite (a, b, outs, f32, W, N, modes),
 * overridden by options.
 */

export interface VerifyConfig {
  a?: string;
  b?: string;
  modes?: string[];
  outs?: string[];
  f32?: boolean;
  W?: number;
  lanes?: number;
}

export interface FieldCounts {
  acc: number;
  nan: number;
  ovf: number;
  f32: number;
  /** One count per output format, by name. */
  codes: Record<string, number>;
}

/** The deterministic part of a report (shards merge into exactly the unsharded one). */
export interface VerifyResult {
  file: string;
  config: string;
  /** Vector lines read (not '#' or blank). */
  lines: number;
  /** Lines with `last` whose outputs were compared. */
  outputs: number;
  /** Fields compared. */
  checked: number;
  mismatches: FieldCounts;
  /** Lines with at least one mismatching field. */
  badLines: number;
  pass: boolean;
  /** The first mismatches (by line), decoded. */
  first: DecodedMismatch[];
}

export interface VerifyReport extends VerifyResult {
  bytes: number;
  seconds: number;
  linesPerSec: number;
  jobs: number;
  shard: string | null;
  /** 'fast' (W <= 53, doubles) or 'bigint'. */
  path: 'fast' | 'bigint';
}

// ----------------------------------------------------------------------------- header

/** Parse the '#' header of a suite file (the first `limit` bytes) into a configuration. */
export function parseHeader(text: string): VerifyConfig {
  const c: VerifyConfig = {};
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('#')) {
      if (raw.trim()) break;
      continue;
    }
    const m = /^#\s*([A-Za-z0-9]+):\s*(.*)$/.exec(raw.trim());
    if (!m) continue;
    const [, k, v] = m as unknown as [string, string, string];
    const val = v.trim();
    if (k === 'a') c.a = val;
    else if (k === 'b') c.b = val;
    else if (k === 'outs') c.outs = val ? val.split(/\s+/) : [];
    else if (k === 'f32') c.f32 = val === 'yes';
    else if (k === 'W') c.W = Number(val);
    else if (k === 'N') c.lanes = Number(val);
    else if (k === 'modes') c.modes = val.split(/\s+/);
  }
  return c;
}

export function readHead(path: string, max = 65536): string {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(max);
    const n = readSync(fd, b, 0, max, 0);
    return b.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

export function configFor(header: VerifyConfig, over: VerifyConfig): RtlConfig {
  const c = { ...header, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) } as VerifyConfig;
  const o: RtlOptions = {
    ...(c.modes && c.modes.length > 1 ? { modes: c.modes } : { a: c.a ?? 'rf8-e3m4', b: c.b ?? c.a ?? 'rf8-e3m4' }),
    outs: c.outs ?? (c.a === undefined && c.b === undefined ? ['rf8-e3m4'] : undefined),
    f32: c.f32 ?? true,
    lanes: c.lanes ?? 1,
    ...(c.W !== undefined ? { W: c.W } : {}),
  };
  return resolveConfig(o);
}

// ----------------------------------------------------------------------------- conversions

// ----------------------------------------------------------------------------- the checker

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = HEX[65 + i] = 10 + i;
const SP = 32;
const DASH = 45;
const NL = 10;
const CR = 13;
const HASH = 35;

/**
 * The fields of one line, found in one pass over its bytes with a local cursor (no strings, no
 * allocation): start and end offset of each space-separated field and its value read as hex
 * (exact below 2^53; a '-' counts as a 0 digit). Module state, overwritten per line.
 */
const MAXF = 16;
const FS = new Int32Array(MAXF);
const FE = new Int32Array(MAXF);
const FV = new Float64Array(MAXF);
/** The character classes of scanLine: a hex digit's value, or one of these. */
const C_DASH = 16;
const C_SEP = 17; // space, CR
const C_NL = 18;
const C_OTHER = 19;
const CLS = new Uint8Array(256).fill(C_OTHER);
for (let c = 0; c < 256; c++) if (HEX[c]! >= 0) CLS[c] = HEX[c]!;
CLS[DASH] = C_DASH;
CLS[SP] = CLS[CR] = C_SEP;
CLS[NL] = C_NL;
/** After scanLine: offset of the line's '\n'; bit i set when field i holds a '-'; offset of the first character that is neither hex, '-', space nor CR (-1: none). */
let LINE_END = 0;
let DASHES = 0;
let BAD_AT = -1;

/** Scan the line at p (it ends with '\n' before `to`); returns the number of fields. */
function scanLine(buf: Uint8Array, p: number, to: number): number {
  let n = 0;
  let dashes = 0;
  let badAt = -1;
  while (p < to) {
    let k = CLS[buf[p]!]!;
    if (k === C_NL) break;
    if (k >= C_SEP) {
      if (k === C_OTHER && badAt < 0) badAt = p;
      p++;
      continue;
    }
    const s = p;
    let v = 0;
    do {
      if (k < C_DASH) v = v * 16 + k;
      else (v *= 16), (dashes |= n < 31 ? 1 << n : 0);
      k = CLS[buf[++p]!]!;
    } while (k <= C_DASH);
    if (n < MAXF) {
      FS[n] = s;
      FE[n] = p;
      FV[n] = v;
    }
    n++;
  }
  LINE_END = p;
  DASHES = dashes;
  BAD_AT = badAt;
  return n;
}

/** Field i is the single '-' (not checked). */
const absent = (buf: Uint8Array, i: number): boolean => FE[i]! - FS[i]! === 1 && buf[FS[i]!] === DASH;

/** A mismatching line and the reference outputs after it. */
export interface BadLine {
  line: number;
  text: string;
  /** bit0 acc, bit1 nan, bit2 ovf, bit3 f32, bit 4+k code k. */
  fields: number;
  exp: { acc: bigint; nan: boolean; ovf: boolean; f32: number; codes: number[] };
}

export class Verifier {
  readonly cfg: RtlConfig;
  readonly fast: boolean;
  private readonly mac: Mac;
  private readonly multi: boolean;
  private readonly N: number;
  private readonly K: number;
  private readonly W: number;
  private readonly outs: Format[];
  /** The rounding of each output (the format's default, or the one its label names: rf8:nearest). */
  private readonly rounds: readonly Rounding[];
  private readonly tBase: number;
  private readonly la: Uint8Array;
  private readonly maskMax: number;
  private readonly lb: Uint8Array;
  private readonly cvt: ((acc: number, nan: boolean, T: number, Xo: number, relu: boolean) => number)[];
  private readonly cvtF32: (acc: number, nan: boolean, T: number) => number;
  private readonly two: number;
  /** Mac holds the accumulator as an exact double (probed once; else BigInt -> Number per output). */
  private readonly numAcc: boolean;
  private readonly half: number;
  // counts
  lines = 0;
  outputs = 0;
  checked = 0;
  badLines = 0;
  mAcc = 0;
  mNan = 0;
  mOvf = 0;
  mF32 = 0;
  readonly mCode: Float64Array;
  /** The first mismatching lines: [line number, text]. */
  readonly firstBad: BadLine[] = [];

  constructor(
    cfg: RtlConfig,
    readonly maxFirst = 10,
  ) {
    this.cfg = cfg;
    this.multi = cfg.multi;
    this.mac = cfg.multi ? new ModeMac({ a: cfg.modesA.modes, b: cfg.modesB.modes, W: cfg.W, lanes: cfg.lanes }) : new Mac({ a: cfg.fa, b: cfg.fb, W: cfg.W, lanes: cfg.lanes });
    this.mac.clear(0n);
    this.N = cfg.lanes;
    this.K = cfg.outs.length;
    this.W = cfg.W;
    this.outs = cfg.outs.map((f) => getFormat(f));
    this.tBase = cfg.modesA.t + cfg.modesB.t;
    this.fast = cfg.W <= 53;
    this.la = new Uint8Array(this.N);
    this.maskMax = 2 ** this.N - 1;
    this.lb = new Uint8Array(this.N);
    this.rounds = cfg.outRoundings;
    this.cvt = this.outs.map((f, k) => makeFormatConverter(f, this.rounds[k]));
    this.cvtF32 = makeF32Converter();
    this.two = 2 ** cfg.W;
    this.half = 2 ** (cfg.W - 1);
    this.mCode = new Float64Array(this.K);
    const probe = this.mac as unknown as { exact?: unknown; accN?: unknown };
    this.numAcc = probe.exact === true && typeof probe.accN === 'number';
    if (this.numAcc) {
      // the probe must agree with the public getter (a change of Mac's internals turns it off)
      this.mac.clear(-12345n);
      this.numAcc = (this.mac as unknown as { accN: number }).accN === Number(this.mac.acc);
      this.mac.clear(0n);
    }
  }

  /** Reset the reference to the DUT's state after reset (A = 0, flags clear, modes 0). */
  reset(): void {
    this.mac.clear(0n);
  }

  /**
   * Check the complete lines of buf[from, to) (to is just past a '\n'). lineBase: number of
   * lines before `from` in the file. Returns the lines consumed.
   */
  chunk(buf: Uint8Array, from: number, to: number, lineBase: number): number {
    let p = from;
    let ln = lineBase;
    this.cur = buf;
    while (p < to) {
      ln++;
      const c = buf[p]!;
      if (c === HASH || c === NL || c === CR) {
        const nl = buf.indexOf(NL, p);
        p = nl < 0 || nl >= to ? to : nl + 1;
        continue;
      }
      p = this.line(buf, p, to, ln);
    }
    return ln - lineBase;
  }

  /** One vector line starting at ls: the reference step, then the result fields (lines with `last`). Returns the next line's start. */
  private line(buf: Uint8Array, ls: number, to: number, ln: number): number {
    const n = scanLine(buf, ls, to);
    const next = LINE_END + 1;
    if (BAD_AT >= 0) this.bad(ls, to, ln, `not hex: '${String.fromCharCode(buf[BAD_AT]!)}'`);
    if (n < 8) this.bad(ls, to, ln, 'too few fields (8 input fields needed)');
    if (DASHES & 0xff) this.bad(ls, to, ln, `${INPUT_FIELDS[31 - Math.clz32(DASHES & -DASHES)]}: not hex`);
    const N = this.N;
    if (FE[6]! - FS[6]! !== 2 * N) this.bad(ls, to, ln, `a: expected ${2 * N} hex digits`);
    if (FE[7]! - FS[7]! !== 2 * N) this.bad(ls, to, ln, `b: expected ${2 * N} hex digits`);
    if (FV[5]! > this.maskMax) this.bad(ls, to, ln, `mask: more than ${N} lanes`);
    const ctl = FV[0]!;
    // lanes: 2N digits, lane N-1 first
    const la = this.la;
    const lb = this.lb;
    for (let i = 0, pa = FS[6]!, pb = FS[7]!; i < N; i++, pa += 2, pb += 2) {
      la[N - 1 - i] = (HEX[buf[pa]!]! << 4) | HEX[buf[pa + 1]!]!;
      lb[N - 1 - i] = (HEX[buf[pb]!]! << 4) | HEX[buf[pb + 1]!]!;
    }
    // the reference step
    if (ctl & 1) {
      const init = FV[4]!;
      const ib = this.fast ? BigInt(init >= this.half ? init - this.two : init) : this.bigField(buf, FS[4]!, FE[4]!);
      if (this.multi) (this.mac as ModeMac).clear(ib, (ctl >> 3) & 3, (ctl >> 5) & 3);
      else this.mac.clear(ib);
    }
    this.mac.step(la, lb, FV[5]!);
    this.lines++;
    if (ctl & 2) this.results(buf, to, ln, ls, n, ctl, sx(FV[1]!), sx(FV[2]!), sx(FV[3]!));
    return next;
  }

  /**
   * The result fields (8: acc, 9: flags, 10: f32, 11: out) of a line with `last`, compared with the
   * reference: one parser for both accumulator paths. The fast path (W <= 53) holds the
   * accumulator as an exact double and converts it with the table-driven converters of
   * fastcvt.ts; the other holds the BigInt and calls the reference conversions. A '-' field, or a
   * missing trailing one, is not checked; inside `out` a '--' pair is not.
   */
  private results(buf: Uint8Array, to: number, ln: number, ls: number, n: number, ctl: number, xa: number, xb: number, xo: number): void {
    if (n > 12) this.bad(ls, to, ln, 'trailing characters');
    this.outputs++;
    const T = this.tBase + xa + xb;
    const relu = (ctl & 4) !== 0;
    const mac = this.mac;
    const nan = mac.nan;
    const fast = this.fast;
    // Mac keeps an exact double when it can (its `exact` mode); read it without a BigInt round trip
    const accN = fast ? (this.numAcc ? (mac as unknown as { accN: number }).accN : Number(mac.acc)) : 0;
    const accB = fast ? 0n : mac.acc;
    let bad = 0;
    for (let i = 8; i < n && i < 11; i++) {
      if (absent(buf, i)) continue;
      if (DASHES & (1 << i)) this.bad(ls, to, ln, `${RESULT_FIELDS[i - 8]}: not hex`);
      const v = FV[i]!; // exact when W <= 53; on the BigInt path the accumulator is read from the bytes
      if (i === 8) {
        this.checked++;
        if (fast ? (v >= this.half ? v - this.two : v) !== accN : this.bigField(buf, FS[8]!, FE[8]!) !== accB) (bad |= 1), this.mAcc++;
      } else if (i === 9) {
        if (FE[9]! - FS[9]! !== 1) this.bad(ls, to, ln, 'flags: expected one hex digit');
        this.checked += 2;
        if ((v & 1) !== (nan ? 1 : 0)) (bad |= 2), this.mNan++;
        if ((v & 2) !== (mac.ovf ? 2 : 0)) (bad |= 4), this.mOvf++;
      } else if (this.cfg.f32) {
        this.checked++;
        if (v !== (fast ? this.cvtF32(accN, nan, T) : accToBinary32Bits(accB, nan, T) >>> 0)) (bad |= 8), this.mF32++;
      }
    }
    if (n > 11 && !absent(buf, 11)) {
      const K = this.K;
      const p0 = FS[11]!;
      if (FE[11]! - p0 !== 2 * K) this.bad(ls, to, ln, `out: expected ${2 * K} hex digits`);
      for (let k = 0; k < K; k++) {
        const j = p0 + 2 * (K - 1 - k);
        if (buf[j] === DASH) continue;
        const got = (HEX[buf[j]!]! << 4) | HEX[buf[j + 1]!]!;
        if (got < 0) this.bad(ls, to, ln, 'out: not hex');
        this.checked++;
        if (got !== (fast ? this.cvt[k]!(accN, nan, T, xo, relu) : accToFormat(accB, nan, T, this.outs[k]!, xo, relu, this.rounds[k]))) {
          bad |= 16 << k;
          this.mCode[k]!++;
        }
      }
    }
    if (bad) this.record(buf, to, ln, ls, bad, T, xo, relu);
  }

  private record(buf: Uint8Array, to: number, ln: number, ls: number, bad: number, T: number, xo: number, relu: boolean): void {
    this.badLines++;
    if (this.firstBad.length >= this.maxFirst) return;
    const acc = this.mac.acc;
    const nan = this.mac.nan;
    this.firstBad.push({
      line: ln,
      text: lineText(buf, ls, to),
      fields: bad,
      exp: { acc, nan, ovf: this.mac.ovf, f32: this.cfg.f32 ? accToBinary32Bits(acc, nan, T) >>> 0 : 0, codes: this.outs.map((fo, k) => accToFormat(acc, nan, T, fo, xo, relu, this.rounds[k])) },
    });
  }

  private bigField(buf: Uint8Array, s: number, e: number): bigint {
    let t = '0x';
    for (let i = s; i < e; i++) t += String.fromCharCode(buf[i]!);
    const v = BigInt(t);
    return v >= 1n << BigInt(this.W - 1) ? v - (1n << BigInt(this.W)) : v;
  }

  file = '';
  private bad(ls: number, to: number, ln: number, what: string): never {
    throw new InputError(`line ${ln}: ${what}: '${lineText(this.cur!, ls, to).slice(0, 200)}'`, this.file);
  }
  cur: Uint8Array | null = null;

  counts(): FieldCounts {
    return { acc: this.mAcc, nan: this.mNan, ovf: this.mOvf, f32: this.mF32, codes: Object.fromEntries(this.cfg.outLabels.map((l, k) => [l, this.mCode[k]!])) };
  }
}

function lineText(buf: Uint8Array, s: number, to: number): string {
  let e = s;
  while (e < to && buf[e] !== NL) e++;
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1').replace(/\r$/, '');
}

/** True when the line starting at p has `first` (ctl bit0). */
function lineHasFirst(buf: Uint8Array, p: number): boolean {
  const c = buf[p]!;
  if (c === HASH || c === NL || c === CR) return false;
  let v = 0;
  let d: number;
  while ((d = HEX[buf[p]!]!) >= 0) (v = v * 16 + d), p++;
  return (v & 1) === 1;
}

const BUF = 1 << 22;

/**
 * The offset of the first line that starts at or after `off` and has `first` (ctl bit0); the
 * file size when there is none. Ranges cut at these points partition a file at clears, so every
 * part starts from a known reference state.
 */
export function clearAtOrAfter(path: string, off: number): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (off <= 0) return 0;
    if (off >= size) return size;
    const buf = new Uint8Array(1 << 16);
    let pos = off - 1; // a line starts at p iff p = 0 or byte p-1 is a newline
    let atStart = false;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return size;
      let i = 0;
      while (i < n) {
        if (atStart) {
          // need the ctl field in the buffer
          if (n - i < 16 && pos + n < size) break;
          if (lineHasFirst(buf, i)) return pos + i;
          atStart = false;
        }
        const nl = buf.indexOf(NL, i);
        if (nl < 0 || nl >= n) {
          i = n;
          break;
        }
        i = nl + 1;
        atStart = true;
        if (pos + i >= size) return size;
      }
      pos += i;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Stream bytes [begin, stop) of a results file (both line starts) through a Verifier in fixed
 * buffers. lineBase: the lines before `begin`. Returns the lines consumed.
 */
export function verifyRange(v: Verifier, path: string, begin: number, stop: number, lineBase: number, pipe = false): number {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(BUF + 1);
    v.cur = buf;
    v.file = path;
    let keep = 0;
    let filePos = begin;
    let lines = 0;
    for (;;) {
      const want = Math.min(BUF - keep, stop - (filePos + keep));
      const n = want > 0 ? readFull(fd, buf, keep, want, pipe ? null : filePos + keep) : 0;
      let have = keep + n;
      const eof = n < want || filePos + have >= stop;
      if (eof && have > 0 && buf[have - 1] !== NL) buf[have++] = NL; // a last line without a newline
      const last = buf.lastIndexOf(NL, have - 1);
      if (last < 0 || have === 0) {
        if (eof) break;
        throw new InputError(`a line longer than ${BUF} bytes near byte ${filePos}`, path);
      }
      lines += v.chunk(buf, 0, last + 1, lineBase + lines);
      if (eof) break;
      keep = have - (last + 1);
      buf.copyWithin(0, last + 1, have);
      filePos += last + 1;
    }
    return lines;
  } finally {
    closeSync(fd);
  }
}

/** Read up to len bytes (a pipe may return less per call: keep reading until len or EOF). */
function readFull(fd: number, buf: Uint8Array, off: number, len: number, pos: number | null): number {
  let got = 0;
  while (got < len) {
    let n: number;
    try {
      n = readSync(fd, buf, off + got, len - got, pos === null ? null : pos + got);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
    if (n <= 0) break;
    got += n;
    if (pos !== null) break;
  }
  return got;
}

/** Newlines in bytes [0, upto) of a file (the line number base of a shard). */
export function countLines(path: string, upto: number): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(BUF);
    let n = 0;
    let pos = 0;
    while (pos < upto) {
      const got = readSync(fd, buf, 0, Math.min(BUF, upto - pos), pos);
      if (got <= 0) break;
      let i = buf.indexOf(NL, 0);
      while (i >= 0 && i < got) {
        n++;
        i = buf.indexOf(NL, i + 1);
      }
      pos += got;
    }
    return n;
  } finally {
    closeSync(fd);
  }
}

/** Decode a recorded mismatching line for the report (inputs and both sides as codes and values, the accumulator value). */
export function decodeBad(cfg: RtlConfig, bad: BadLine): DecodedMismatch {
  const f = bad.text.trim().split(/\s+/);
  const exp = bad.exp;
  const hx = (n: bigint | number, d: number): string => n.toString(16).padStart(d, '0');
  const W4 = Math.ceil(cfg.W / 4);
  const got = {
    acc: f[8] && f[8] !== '-' ? f[8] : hx(exp.acc < 0n ? (1n << BigInt(cfg.W)) + exp.acc : exp.acc, W4),
    flags: f[9] && f[9] !== '-' ? parseInt(f[9], 16) : (exp.nan ? 1 : 0) | (exp.ovf ? 2 : 0),
    f32: f[10] && f[10] !== '-' ? f[10] : hx(exp.f32 >>> 0, 8),
    codes: f[11] && f[11] !== '-' ? f[11].replace(/-/g, '0') : exp.codes.map((c) => hx(c, 2)).reverse().join(''),
  };
  const m: NonNullable<HarnessReport['mismatch']> = {
    cycle: -1,
    fields: (bad.fields & 1 ? 1 : 0) | (bad.fields & 6 ? 2 : 0) | (bad.fields & 8 ? 4 : 0) | (bad.fields & ~15 ? 8 : 0),
    line: bad.line,
    in: { ctl: parseInt(f[0]!, 16), xa: parseInt(f[1]!, 16), xb: parseInt(f[2]!, 16), xo: parseInt(f[3]!, 16), init: f[4]!, mask: parseInt(f[5]!, 16), a: f[6]!, b: f[7]! },
    expected: {
      acc: hx(exp.acc < 0n ? (1n << BigInt(cfg.W)) + exp.acc : exp.acc, W4),
      flags: (exp.nan ? 1 : 0) | (exp.ovf ? 2 : 0),
      f32: hx(exp.f32 >>> 0, 8),
      codes: exp.codes.map((c) => hx(c, 2)).reverse().join(''),
    },
    actual: got,
  };
  const dm = decodeMismatch(cfg, m);
  const names = ['acc', 'nan', 'ovf', 'f32', ...cfg.outLabels];
  dm.fields = names.filter((_, i) => bad.fields & (1 << i));
  return dm;
}

const sx = (v: number): number => (v >= 128 ? v - 256 : v);
const INPUT_FIELDS = ['ctl', 'xa', 'xb', 'xo', 'init', 'mask', 'a', 'b'];
const RESULT_FIELDS = ['acc', 'flags', 'f32'];

// ----------------------------------------------------------------------------- driver

export interface VerifyOptions {
  /** Flags that override the header (-a -b -W --lanes --outs --modes --no-f32). */
  over?: VerifyConfig;
  /** Worker threads (default 1). */
  jobs?: number;
  shard?: { index: number; count: number };
  /** Decoded mismatches kept (default 10). */
  maxFirst?: number;
}

export interface PartResult {
  lines: number;
  outputs: number;
  checked: number;
  badLines: number;
  counts: FieldCounts;
  firstBad: BadLine[];
}

export function runPart(cfgIn: VerifyConfig, path: string, begin: number, stop: number, maxFirst: number, pipe = false): PartResult {
  const v = new Verifier(configFor({}, cfgIn), maxFirst);
  const lines = verifyRange(v, path, begin, stop, 0, pipe);
  return { lines, outputs: v.outputs, checked: v.checked, badLines: v.badLines, counts: v.counts(), firstBad: v.firstBad };
}

function addCounts(a: FieldCounts, b: FieldCounts): FieldCounts {
  const codes: Record<string, number> = { ...a.codes };
  for (const [k, n] of Object.entries(b.codes)) codes[k] = (codes[k] ?? 0) + n;
  return { acc: a.acc + b.acc, nan: a.nan + b.nan, ovf: a.ovf + b.ovf, f32: a.f32 + b.f32, codes };
}

/** Check a results file (or '-' for stdin) against the reference. */
export async function verifyFile(path: string, o: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = process.hrtime.bigint();
  const pipe = path === '-' || path === '/dev/stdin';
  const file = pipe ? '/dev/stdin' : path;
  const maxFirst = o.maxFirst ?? 10;
  const jobs = o.jobs ?? 1;
  let head: string;
  let size = Infinity;
  if (pipe) {
    if (jobs > 1 || (o.shard && o.shard.count > 1)) throw new InputError('verify: --jobs and --shard need a file, not stdin');
    head = '';
  } else {
    try {
      size = fstatSync(openSync(file, 'r')).size;
    } catch (e) {
      throw new InputError(`cannot read: ${(e as Error).message.split('\n')[0]}`, path);
    }
    head = readHead(file);
  }
  // stdin: the header is read through the same stream (the first block), so parse it lazily
  let cfgIn: VerifyConfig;
  let cfg: RtlConfig;
  let parts: PartResult[] = [];
  let lineBase = 0;
  if (pipe) {
    const r = pipeVerify(file, o.over ?? {}, maxFirst);
    cfg = r.cfg;
    parts = [r.part];
  } else {
    const hdr = parseHeader(head);
    cfgIn = { ...hdr, ...Object.fromEntries(Object.entries(o.over ?? {}).filter(([, v]) => v !== undefined)) };
    if (o.over?.a !== undefined || o.over?.b !== undefined) delete cfgIn.modes;
    cfg = configFor({}, cfgIn);
    let begin = 0;
    let stop = size;
    if (o.shard && o.shard.count > 1) {
      begin = clearAtOrAfter(file, Math.floor((o.shard.index * size) / o.shard.count));
      stop = o.shard.index === o.shard.count - 1 ? size : clearAtOrAfter(file, Math.floor(((o.shard.index + 1) * size) / o.shard.count));
      lineBase = countLines(file, begin);
    }
    const cuts = [begin];
    for (let j = 1; j < jobs; j++) cuts.push(Math.max(cuts[j - 1]!, clearAtOrAfter(file, begin + Math.floor(((stop - begin) * j) / jobs))));
    cuts.push(stop);
    if (jobs > 1) {
      const { Worker } = await import('node:worker_threads');
      // under a TS runner (vitest) this file is src/verify-hw/verify.ts: the worker runs from dist/
      const url = import.meta.url.endsWith('.ts') ? new URL('../../dist/verify-hw/verify-worker.js', import.meta.url) : new URL('./verify-worker.js', import.meta.url);
      parts = await Promise.all(
        cuts.slice(0, -1).map(
          (b, j) =>
            new Promise<PartResult>((res, rej) => {
              const w = new Worker(url, { workerData: { cfgIn, path: file, begin: b, stop: cuts[j + 1], maxFirst } });
              w.once('message', (m: PartResult | { error: string; input: boolean }) => {
                if ('error' in m) rej(m.input ? new InputError(m.error) : new Error(m.error));
                else res(m);
              });
              w.once('error', rej);
            }),
        ),
      );
    } else parts = [runPart(cfgIn, file, begin, stop, maxFirst)];
  }
  // line numbers: each part counted from its own start
  let base = lineBase;
  const first: BadLine[] = [];
  let counts: FieldCounts = { acc: 0, nan: 0, ovf: 0, f32: 0, codes: Object.fromEntries(cfg.outLabels.map((l) => [l, 0])) };
  let lines = 0;
  let outputs = 0;
  let checked = 0;
  let badLines = 0;
  for (const p of parts) {
    for (const b of p.firstBad) first.push({ ...b, line: b.line + base });
    base += p.lines;
    counts = addCounts(counts, p.counts);
    outputs += p.outputs;
    checked += p.checked;
    badLines += p.badLines;
  }
  lines = parts.reduce((t, p) => t + p.lines, 0);
  const dataLines = lines; // includes '#' lines; reported as read lines
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const res: VerifyReport = {
    file: path,
    config: cfg.id,
    lines: dataLines,
    outputs,
    checked,
    mismatches: counts,
    badLines,
    pass: badLines === 0,
    first: first.slice(0, maxFirst).map((b) => decodeBad(cfg, b)),
    bytes: pipe ? -1 : size,
    seconds: secs,
    linesPerSec: dataLines / Math.max(secs, 1e-9),
    jobs,
    shard: o.shard && o.shard.count > 1 ? `${o.shard.index + 1}/${o.shard.count}` : null,
    path: cfg.W <= 53 ? 'fast' : 'bigint',
  };
  return res;
}

/** stdin: the header arrives with the data; read it from the first block, then stream the rest. */
function pipeVerify(file: string, over: VerifyConfig, maxFirst: number): { cfg: RtlConfig; part: PartResult } {
  // fd 0 itself: /dev/stdin cannot be opened when stdin is a socket
  const fd = file === '/dev/stdin' ? 0 : openSync(file, 'r');
  try {
    const buf = new Uint8Array(BUF + 1);
    let have = readFull(fd, buf, 0, 1 << 16, null);
    // the whole header must be in the first block: extend until a non-'#' line starts or EOF
    let txt = Buffer.from(buf.buffer, 0, have).toString('latin1');
    while (have < BUF && /^(#[^\n]*\n|\s*\n)*#[^\n]*$/.test(txt)) {
      const n = readFull(fd, buf, have, 1 << 16, null);
      if (n <= 0) break;
      have += n;
      txt = Buffer.from(buf.buffer, 0, have).toString('latin1');
    }
    const hdr = parseHeader(txt);
    const cfgIn: VerifyConfig = { ...hdr, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) };
    if (over.a !== undefined || over.b !== undefined) delete cfgIn.modes;
    const cfg = configFor({}, cfgIn);
    const v = new Verifier(cfg, maxFirst);
    v.cur = buf;
    v.file = '<stdin>';
    let keep = have;
    let lines = 0;
    for (;;) {
      const n = readFull(fd, buf, keep, BUF - keep, null);
      let h = keep + n;
      const eof = n === 0;
      if (eof && h > 0 && buf[h - 1] !== NL) buf[h++] = NL;
      const last = buf.lastIndexOf(NL, h - 1);
      if (last < 0 || h === 0) {
        if (eof) break;
        throw new InputError(`a line longer than ${BUF} bytes`, '<stdin>');
      }
      lines += v.chunk(buf, 0, last + 1, lines);
      if (eof) break;
      keep = h - (last + 1);
      buf.copyWithin(0, last + 1, h);
    }
    return { cfg, part: { lines, outputs: v.outputs, checked: v.checked, badLines: v.badLines, counts: v.counts(), firstBad: v.firstBad } };
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/** The fields of a report that do not depend on how it was run (timings, jobs, shard). */
export function resultOf(r: VerifyReport | VerifyResult): VerifyResult {
  return { file: r.file, config: r.config, lines: r.lines, outputs: r.outputs, checked: r.checked, mismatches: r.mismatches, badLines: r.badLines, pass: r.pass, first: r.first };
}

/** Merge shard reports (any order) into the report of the whole run. */
export function mergeReports(rs: VerifyReport[], maxFirst = 10): VerifyReport {
  if (!rs.length) throw new InputError('verify --merge: no reports');
  const cfgs = new Set(rs.map((r) => r.config));
  if (cfgs.size > 1) throw new InputError(`verify --merge: reports of different configurations: ${[...cfgs].join(', ')}`);
  const files = new Set(rs.map((r) => r.file));
  if (files.size > 1) throw new InputError(`verify --merge: reports of different files: ${[...files].join(', ')}`);
  let counts = { ...rs[0]!.mismatches, codes: Object.fromEntries(Object.keys(rs[0]!.mismatches.codes).map((k) => [k, 0])), acc: 0, nan: 0, ovf: 0, f32: 0 };
  for (const r of rs) counts = addCounts(counts, r.mismatches);
  const first = rs.flatMap((r) => r.first).sort((a, b) => a.line - b.line).slice(0, maxFirst);
  const sum = (k: 'lines' | 'outputs' | 'checked' | 'badLines' | 'seconds'): number => rs.reduce((t, r) => t + r[k], 0);
  const secs = Math.max(...rs.map((r) => r.seconds));
  return {
    file: rs[0]!.file,
    config: rs[0]!.config,
    lines: sum('lines'),
    outputs: sum('outputs'),
    checked: sum('checked'),
    mismatches: counts,
    badLines: sum('badLines'),
    pass: rs.every((r) => r.pass),
    first,
    bytes: rs[0]!.bytes,
    seconds: secs,
    linesPerSec: sum('lines') / Math.max(secs, 1e-9),
    jobs: rs.reduce((t, r) => t + r.jobs, 0),
    shard: `merged ${rs.length}`,
    path: rs[0]!.path,
  };
}
