import { InputError } from './errors.js';

/**
 * Argument checks for the public API: each throws an InputError whose one-line message names the
 * argument and shows the value as given (`x: not a number: 'abc'`). Nothing is coerced: a string
 * '0.5' is not a number, 1n is not a code, a code past 255 is not masked.
 */

/** The value as a user typed it: strings quoted, bigints with n, arrays and objects abbreviated. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? s.slice(0, 60) + '...' : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function bad(arg: string, what: string, v: unknown): InputError {
  return new InputError(`${arg}: ${what}: ${show(v)}`);
}

/** A JS number (NaN and infinities included); never a string, bigint or boxed value. */
export function checkNumber(v: unknown, arg: string): number {
  if (typeof v !== 'number') throw bad(arg, 'not a number', v);
  return v;
}

/** An integer number in [min, max]. */
export function checkInt(v: unknown, arg: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(arg, `not an integer in [${min}, ${max}]`, v);
  return v;
}

/** An 8-bit code, 0..255. */
export function checkCode(v: unknown, arg = 'code'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw bad(arg, 'not a code in 0..255', v);
  return v;
}

/** A scale exponent X, an int8 (the same rule for encode and decode). */
export function checkScale(v: unknown, arg = 'scale'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -128 || v > 127) throw bad(arg, 'not an integer scale exponent in [-128, 127]', v);
  return v;
}

/** An options argument: undefined or a plain object. */
export function checkOptions(v: unknown, arg = 'options'): void {
  if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) throw bad(arg, 'not an options object', v);
}

/** A typed array of one of the given constructors. */
export function checkTyped(v: unknown, arg: string, ctors: readonly { readonly name: string; [Symbol.hasInstance](x: unknown): boolean }[]): void {
  if (!ctors.some((c) => v instanceof (c as unknown as typeof Object))) throw bad(arg, `not a ${ctors.map((c) => c.name).join(' or ')}`, v);
}

/**
 * One MAC beat's operands: at most `lanes` codes each (an extra lane is an error, not ignored),
 * every lane the valid mask enables present in both (a missing lane is an error, not a zero),
 * every code given an integer in 0..255, and a mask of `lanes` bits (default: all lanes).
 */
export function checkBeat(a: ArrayLike<number>, b: ArrayLike<number>, lanes: number, mask: number | undefined, fn: string): void {
  const max = lanes === 32 ? 0xffffffff : 2 ** lanes - 1;
  if (mask !== undefined && (typeof mask !== 'number' || !Number.isInteger(mask) || mask < 0 || mask > max)) throw bad(`${fn}: validMask`, `not an integer in [0, ${max}] (${lanes} lanes)`, mask);
  const m = mask ?? max;
  // one call per operand (no tuple array: this runs on every MAC step)
  checkLanes(a, 'a', lanes, m, fn);
  checkLanes(b, 'b', lanes, m, fn);
}

function checkLanes(v: ArrayLike<number>, arg: string, lanes: number, m: number, fn: string): void {
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') throw bad(`${fn}: ${arg}`, `not an array of codes`, v);
  const n = v.length;
  if (n > lanes) throw new InputError(`${fn}: ${arg}: ${n} lanes given, the engine has ${lanes}`);
  if (n < lanes && m >>> n !== 0) throw new InputError(`${fn}: ${arg}: lane ${n} is enabled by the valid mask (0x${m.toString(16)}) but missing: ${n} of ${lanes} lanes given`);
  for (let i = 0; i < n; i++) {
    const c = v[i];
    if (typeof c !== 'number' || (c & 0xff) !== c) throw bad(`${fn}: ${arg}[${i}]`, 'not a code in 0..255', c);
  }
}

/** A bigint (accumulator values are never JS numbers). */
export function checkBigInt(v: unknown, arg: string): bigint {
  if (typeof v !== 'bigint') throw bad(arg, 'not a bigint', v);
  return v;
}

/**
 * A format given as an object: it must be one of the table's entries (or a copy with the same
 * name and fields, which maps to the entry); anything else names the argument.
 */
export function checkFormatObject<F extends { name: string; e: number; m: number; bias: number; specials: string }>(v: unknown, table: Readonly<Record<string, F>>, arg = 'format'): F {
  if (v === null || typeof v !== 'object') throw bad(arg, 'not a format name or Format object', v);
  const o = v as Partial<F>;
  const f = typeof o.name === 'string' ? table[o.name] : undefined;
  if (!f) throw bad(arg, 'not a format of the family', v);
  if (f !== v && (o.e !== f.e || o.m !== f.m || o.bias !== f.bias || o.specials !== f.specials)) throw bad(arg, `fields differ from the ${f.name} table`, v);
  return f;
}
