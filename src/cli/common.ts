import { InputError } from '../util/errors.js';

/** Options every command accepts. */
export interface CommonArgs {
  json?: boolean;
}

/** Print a result: one JSON document on stdout with --json, else the human text. */
export function emit(args: CommonArgs, json: unknown, text: () => string): void {
  if (args.json) process.stdout.write(JSON.stringify(json, jsonReplacer, 2) + '\n');
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
