import { InputError } from '../util/errors.js';

/** Options every command accepts. */
export interface CommonArgs {
  json?: boolean;
}

/** Print a result: one JSON document on stdout with --json, else the human text. */
/** Whether this process has printed its one JSON document (then an error after it is not printed as a second one). */
export let jsonEmitted = false;

export function emit(args: CommonArgs, json: unknown, text: () => string): void {
  if (args.json) {
    process.stdout.write(JSON.stringify(json, jsonReplacer, 2) + '\n');
    jsonEmitted = true;
  }
  else {
    const t = text();
    process.stdout.write(t.endsWith('\n') ? t : t + '\n');
  }
}

/** JSON.stringify replacer that prints BigInt as a decimal string and typed arrays as arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** Log progress or notes to stderr (never stdout, which belongs to the result). */
export function log(msg: string): void {
  process.stderr.write(msg + '\n');
}

/** Parse an integer argument strictly. */
export function parseIntStrict(s: string | number, what: string, min = -Infinity, max = Infinity): number {
  const str = String(s).trim();
  if (!/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(str)) throw new InputError(`${what}: not an integer: '${s}'`);
  const neg = str.startsWith('-');
  const body = str.replace(/^[-+]/, '');
  const v = (neg ? -1 : 1) * Number(body);
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new InputError(`${what}: ${s} is out of range [${min}, ${max}]`);
  return v;
}

/** Format a table with aligned columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Standard argument conventions (applied to every command by main.ts)

/**
 * Marks a token the shell passed as a value, never as an option: a negative number in any
 * notation (-1, -1e-9, -1e400, -.5, -0x10, -inf, -nan) before `--`, and every token after `--`.
 * yargs would read `-inf` as the flags -i -n -f; a marked token is a plain string to it, and the
 * mark is removed before any command sees the value.
 */
export const VALUE_MARK = '\u0001';
const NEGATIVE_VALUE = /^-(?:inf(?:inity)?|nan|0x[0-9a-f]|\d|\.\d)/i;

/** Rewrite argv so that `--` ends options and negative numbers are values (see VALUE_MARK). */
export function protectValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const a of argv) {
    if (rest) out.push(VALUE_MARK + a);
    else if (a === '--') rest = true;
    else out.push(NEGATIVE_VALUE.test(a) ? VALUE_MARK + a : a);
  }
  return out;
}

/** Remove the value mark from a parsed value (strings, arrays of strings). */
export function unmark<T>(v: T): T {
  if (typeof v === 'string') return (v.startsWith(VALUE_MARK) ? v.slice(1) : v) as T;
  if (Array.isArray(v)) return v.map(unmark) as T;
  return v;
}

/** The options before `--` include --json (for errors printed as JSON). */
export function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json' || a === '--json=true') return true;
  }
  return false;
}

/**
 * One real number as typed: decimal (any exponent, so -1e400 is -Infinity and 1e-400 is 0 as
 * the double nearest), nan, inf, -inf, infinity. `what` names the argument in the error.
 */
export function parseReal(s: string | number, what = 'value'): number {
  if (typeof s === 'number') return s;
  const str = unmark(String(s)).trim().toLowerCase();
  if (str === 'nan' || str === '+nan' || str === '-nan') return NaN;
  if (str === 'inf' || str === '+inf' || str === 'infinity' || str === '+infinity') return Infinity;
  if (str === '-inf' || str === '-infinity') return -Infinity;
  const hex = /^([-+]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([-+]?\d+))?$/.exec(str);
  if (hex && (hex[2] || hex[3])) return hexReal(hex, what, unmark(String(s)));
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(str)) throw new InputError(`${what}: not a number: '${unmark(String(s))}'`);
  return Number(str);
}

/** A hex literal (0x10, -0x1.8p3): exact when its significand has at most 53 significant bits. */
function hexReal(m: RegExpExecArray, what: string, text: string): number {
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const sig = BigInt('0x' + (digits || '0'));
  if (sig !== 0n && sig.toString(2).replace(/0+$/, '').length > 53) throw new InputError(`${what}: hex significand has more than 53 significant bits: '${text}'`);
  const e = Number(m[4] ?? 0) - 4 * (m[3]?.length ?? 0);
  let v = Number(sig);
  // scale by 2^e in steps that stay exact (no double rounding: the significand fits in 53 bits)
  let k = e;
  while (k > 0 && Number.isFinite(v)) { const s = Math.min(k, 1000); v *= 2 ** s; k -= s; }
  while (k < 0 && v !== 0) { const s = Math.min(-k, 1000); v /= 2 ** s; k += s; }
  return m[1] === '-' ? -v : v;
}

/** Options whose values are integers in every command (seeds, widths, counts, scale exponents). */
const INTEGER_OPTIONS = new Set([
  'scale', 'X', 'u', 'r', 'seed', 'lanes', 'N', 'pipe', 'raw', 'runs', 'max-len', 'W', 'nmax', 'scale-a', 'scale-b', 'out-scale', 'steps',
  'finetune-steps', 'images', 'batch', 'refit-every', 'eval-every', 'calib', 'limit', 'n', 'repeats', 'jobs',
]);

/** The strict reader of a number-typed option: the text must be a finite number (an integer where the option is one). */
export function numberOption(name: string): (v: unknown) => number | undefined {
  const flag = name.length === 1 ? `-${name}` : `--${name}`;
  const integer = INTEGER_OPTIONS.has(name);
  return (v: unknown) => {
    if (v === undefined || typeof v === 'number') return v as number | undefined;
    if (Array.isArray(v)) throw new InputError(`${flag}: given ${v.length} times (${v.map((x) => `'${unmark(String(x))}'`).join(', ')}); give it once`);
    const text = unmark(String(v));
    if (integer) {
      if (!/^[-+]?(0x[0-9a-f]+|\d+)$/i.test(text.trim())) throw new InputError(`${flag}: not an integer: '${text}'`);
      return parseIntStrict(text, flag);
    }
    const x = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!Number.isFinite(x)) throw new InputError(`${flag}: not a finite number: '${text}'`);
    return x;
  };
}

/** The strict reader of a string-typed option: given once, not empty. */
export function stringOption(name: string): (v: unknown) => string | undefined {
  const flag = name.length === 1 ? `-${name}` : `--${name}`;
  return (v: unknown) => {
    if (v === undefined) return undefined;
    if (Array.isArray(v)) throw new InputError(`${flag}: given ${v.length} times (${v.map((x) => `'${unmark(String(x))}'`).join(', ')}); give it once`);
    const text = unmark(String(v));
    if (text === '') throw new InputError(`${flag}: empty value`);
    return text;
  };
}

/**
 * Values to encode from a file, read by content: a weight file through the io readers (.npy,
 * .npz, .safetensors, .gguf, a tfjs model: exactly one readable tensor), else raw little-endian
 * binary32. The extension and the content must agree (a .f32 that starts with a .npy / .npz /
 * GGUF magic, or a .npy that is not one, is an InputError).
 */
export async function readValuesFile(path: string, arg = '--in'): Promise<{ values: Float32Array | Float64Array; format: string; tensor?: string }> {
  const { detectFormat, sniffFormat, openWeights } = await import('../io/open.js');
  const { statSync, openSync, readSync, closeSync } = await import('node:fs');
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, path);
  }
  const lower = path.toLowerCase();
  const ext = lower.slice(lower.lastIndexOf('.'));
  if (st.isFile()) {
    const fd = openSync(path, 'r');
    const head = new Uint8Array(Math.min(16, st.size));
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const sniffed = sniffFormat(head);
    const strong = sniffed === 'npy' || sniffed === 'npz' || sniffed === 'gguf';
    const known = ['.npy', '.npz', '.gguf', '.safetensors', '.json'].includes(ext);
    if ((ext === '.f32' || !known) && !strong) {
      const { readFileSync } = await import('node:fs');
      const buf = readFileSync(path);
      if (buf.length % 4 !== 0) throw new InputError(`raw .f32 length ${buf.length} is not a multiple of 4`, path);
      const values = new Float32Array(buf.length / 4);
      new Uint8Array(values.buffer).set(buf);
      return { values, format: 'f32' };
    }
    if (ext === '.f32' && strong) throw new InputError(`${arg}: the extension says raw .f32 but the content is ${sniffed}`, path);
  }
  detectFormat(path); // extension / content agreement of the weight formats
  const src = openWeights(path);
  try {
    const ts = src.listTensors().filter((t) => t.supported);
    if (ts.length !== 1) throw new InputError(`${arg}: holds ${ts.length} readable tensors; encode takes one (rf8 quantize converts whole checkpoints)`, path);
    const t = ts[0]!;
    return { values: t.dtype === 'F64' ? src.readTensorF64(t.name) : src.readTensor(t.name), format: src.format, tensor: t.name };
  } finally {
    src.close();
  }
}
