/**
 * Issue 16: the bad-input table. Every case is a public API call or a CLI run with a bad
 * argument; each must fail with an InputError (the CLI: exit 2) whose one-line message names the
 * argument and echoes the value. None may be silently accepted, coerced or masked.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, encodeArray, decode, decodeValue, decodeArray, getFormat, encodeNpy } from '../../src/index.js';
import { Mac } from '../../src/arith/index.js';
import { arbValue, arbMacBeat, arbScaleIn, arbFormat } from '../../src/props/index.js';
import { InputError } from '../../src/util/errors.js';
import { rf8 } from '../helpers/cli.js';

const F = 'rf8-e3m4';
const api: [string, () => unknown, RegExp][] = [
  ["encode(f, 'abc') (was 0x7f)", () => encode(F, 'abc' as never), /^x: not a number: 'abc'$/],
  ["encode(f, '0.5') (was coerced)", () => encode(F, '0.5' as never), /^x: not a number: '0\.5'$/],
  ['encode(f, 1n) (was a raw TypeError)', () => encode(F, 1n as never), /^x: not a number: 1n$/],
  ['encode(f, null)', () => encode(F, null as never), /^x: not a number: null$/],
  ['encode(f) with no value', () => (encode as (f: string) => number)(F), /^x: not a number: undefined$/],
  ['encode scale 200', () => encode(F, 1, { scale: 200 }), /^scale: not an integer scale exponent in \[-128, 127\]: 200$/],
  ["encode scale '3'", () => encode(F, 1, { scale: '3' as never }), /^scale: .*: '3'$/],
  ['encode scale 1.5', () => encode(F, 1, { scale: 1.5 }), /^scale: .*: 1\.5$/],
  ['SR without u (was silently u = 0)', () => encode(F, 0.3, { rounding: 'sr' }), /^u: sr rounding needs u/],
  ['SR with u past 2^r', () => encode(F, 0.3, { rounding: 'sr', u: 256 }), /u must be an integer in \[0, 2\^8\): 256/],
  ['unknown rounding', () => encode(F, 1, { rounding: 'up' as never }), /rounding 'up'/],
  ['unknown overflow', () => encode(F, 1, { overflow: 'wrap' as never }), /overflow mode 'wrap'/],
  ['sr r = 0', () => encode(F, 1, { rounding: 'sr', u: 0, r: 0 }), /r must be an integer in \[1, 52\]: 0/],
  ['options not an object', () => encode(F, 1, 5 as never), /^options: not an options object: 5$/],
  ['decodeValue scale 999 (was accepted; encode rejects it)', () => decodeValue(F, 0x10, 999), /^scale: .*: 999$/],
  ['decodeValue code 300', () => decodeValue(F, 300), /^code: not a code in 0\.\.255: 300$/],
  ["decodeValue code '16'", () => decodeValue(F, '16' as never), /^code: not a code in 0\.\.255: '16'$/],
  ['decode code 1.5', () => decode(F, 1.5), /^code: not a code in 0\.\.255: 1\.5$/],
  ['decode code -1', () => decode(F, -1), /^code: .*: -1$/],
  ['decode code 1n', () => decode(F, 1n as never), /^code: .*: 1n$/],
  ["getFormat('e9m9')", () => getFormat('e9m9'), /^format: unknown format 'e9m9'/],
  ["getFormat('constructor') (not an Object.prototype key)", () => getFormat('constructor'), /^format: unknown format 'constructor'/],
  ['getFormat(42)', () => getFormat(42 as never), /^format: not a format name or Format object: 42$/],
  ['getFormat({ name: x })', () => getFormat({ name: 'x' } as never), /^format: not a format of the family: \{"name":"x"\}$/],
  ['getFormat(a forged copy)', () => getFormat({ ...getFormat(F), m: 5 } as never), /^format: fields differ from the rf8-e3m4 table/],
  ['Mac.step([300], [1]) (was accumulated as 56)', () => new Mac({ a: F, b: F, W: 32 }).step([300], [1]), /^step: a\[0\]: not a code in 0\.\.255: 300$/],
  ['Mac.step extra lane (was ignored)', () => new Mac({ a: F, b: F, W: 32 }).step([1, 2], [1, 2]), /^step: a: 2 lanes given, the engine has 1$/],
  ['Mac.step missing lane', () => new Mac({ a: F, b: F, W: 32, lanes: 4 }).step([1], [1]), /^step: a: lane 1 is enabled by the valid mask \(0xf\) but missing/],
  ["Mac.step code '1'", () => new Mac({ a: F, b: F, W: 32 }).step([1], ['1' as never]), /^step: b\[0\]: not a code in 0\.\.255: '1'$/],
  ['Mac.step mask past the lanes', () => new Mac({ a: F, b: F, W: 32, lanes: 2 }).step([1, 1], [1, 1], 4), /^step: validMask: not an integer in \[0, 3\] \(2 lanes\): 4$/],
  ['Mac.clear(5) (a number, not a bigint)', () => new Mac({ a: F, b: F, W: 32 }).clear(5 as never), /^clear: init: not a bigint: 5$/],
  ['encodeArray of a plain array', () => encodeArray(F, [1, 2] as never), /^src: not a Float32Array or Float64Array: an array of length 2$/],
  ['encodeArray SR without u or uArray', () => encodeArray(F, new Float32Array(2), { rounding: 'sr' }), /^u: sr rounding needs u/],
  ['decodeArray of a plain array', () => decodeArray(F, [1, 2] as never), /^codes: not a Uint8Array: an array of length 2$/],
  ['decodeArray scale 200', () => decodeArray(F, new Uint8Array(1), 200), /^scale: .*: 200$/],
  ['props: arbValue scale 1000', () => arbValue(F, { scale: 1000 }), /^arbValue: scale: .*: 1000$/],
  ['props: arbMacBeat lanes 0', () => arbMacBeat({ a: F, b: F, lanes: 0 }), /^arbMacBeat: lanes: .*: 0$/],
  ['props: arbScaleIn min > max', () => arbScaleIn({ min: 3, max: 2 }), /^arbScaleIn: min\/max/],
  ['props: arbFormat of an unknown name', () => arbFormat(['e9m9']), /^format: unknown format 'e9m9'/],
];

describe('bad input at the API: InputError naming the argument', () => {
  it.each(api)('%s', (_name, call, re) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err, 'accepted silently').toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg.includes('\n')).toBe(false);
    expect(msg).toMatch(re);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'rf8-bad-input-'));
writeFileSync(join(dir, 'raw.npy'), Buffer.alloc(16, 1)); // .npy extension, raw bytes
writeFileSync(join(dir, 'arr.f32'), Buffer.concat(encodeNpy(new Float32Array([1, 2]), [2]))); // .f32 extension, .npy content

const cli: [string[], RegExp][] = [
  [['encode', 'abc'], /^rf8: value: not a number: 'abc'$/],
  [['encode', '--scale', 'abc', '1'], /^rf8: --scale: not an integer: 'abc'$/],
  [['encode', '--scale', '1.5', '1'], /^rf8: --scale: not an integer: '1\.5'$/],
  [['encode', '--scale', '300', '1'], /^rf8: --scale: 300 is out of range \[-128, 127\]$/],
  [['encode', '--scale', '1', '--scale', '2', '1'], /^rf8: --scale: given 2 times \('1', '2'\); give it once$/],
  [['encode', '-X', 'x', '1'], /^rf8: --scale: not an integer: 'x'$/], // the alias reports the option's name
  [['table', '--format'], /^rf8: --format: needs a value \(none given\)$/],
  [['encode', '1', '--format'], /^rf8: --format: needs a value \(none given\)$/],
  [['table', '--format', 'e9m9'], /^rf8: format: unknown format 'e9m9'/],
  [['encode', '--rounding', 'sr', '0.3'], /^rf8: --u: --rounding sr needs --u/],
  [['encode', '--in', join(dir, 'raw.npy'), '--out', join(dir, 'o.rf8')], /raw\.npy: .*npy/],
  [['encode', '--in', join(dir, 'arr.f32'), '--out', join(dir, 'o.rf8')], /arr\.f32: --in: the extension says raw \.f32 but the content is npy$/],
  [['decode', '0x100'], /^rf8: code: 0x100 is out of range \[0, 255\]$/],
  [['decode', '1.5'], /^rf8: code: not an integer: '1\.5'$/],
  [['mac', '-W', 'abc'], /^rf8: -W: not an integer: 'abc'$/],
  [['rtl', '--lanes', 'four'], /^rf8: --lanes: not an integer: 'four'$/],
  [['sweep', '--n', '1e999'], /^rf8: -n: not an integer: '1e999'$/],
  [['encode', '--', '--json'], /^rf8: value: not a number: '--json'$/],
];

describe('bad input at the CLI: exit 2, one line naming the argument', () => {
  it.each(cli)('rf8 %j', (args, re) => {
    const r = rf8(args);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(re);
    expect(r.stdout).toBe('');
  });
  it('--json errors are one JSON object on stdout', () => {
    const r = rf8(['encode', '--json', '--scale', 'abc', '1']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { exitCode: 2, kind: 'InputError', message: "--scale: not an integer: 'abc'" } });
  });
  it('nothing half-written', () => {
    expect(existsSync(join(dir, 'o.rf8'))).toBe(false);
  });
});
