import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8 } from '../helpers/cli.js';
import { encodeArray, decodeArray } from '../../src/format/index.js';

describe('rf8 table / encode / decode / mac', () => {
  it('table lists 256 codes, text and JSON', () => {
    const t = rf8(['table', '--format', 'rf8-e3m4']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n').filter((l) => l.startsWith('0x')).length).toBe(256);
    expect(t.stdout).toMatch(/0x7f\s+normal\s+0\s+31\s+2\s+124/);
    const j = JSON.parse(rf8(['table', '--format', 'ocp-e4m3', '--json']).stdout);
    expect(j.codes).toHaveLength(256);
    expect(j.codes[0x7e].value).toBe('448');
    expect(j.codes[0x01].value).toBe('0.001953125');
    expect(j.codes[0x7f].kind).toBe('nan');
  });
  it('encode scalars with options; JSON has one document', () => {
    const r = rf8(['encode', '--format', 'rf8-e3m4', '--json', '1', '0.3', '-0.07', '1e9', 'nan']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results.map((x: { hex: string }) => x.hex)).toEqual(['0x10', '0x05', '0x81', '0x7f', '0x80']);
    const sr = JSON.parse(rf8(['encode', '--json', '--rounding', 'sr', '--u', '192', '--r', '8', '1.015625']).stdout);
    expect(sr.results[0].hex).toBe('0x11');
    const txt = rf8(['encode', '2.5', '--format', 'int8']);
    expect(txt.stdout).toMatch(/2\.5\s+0x02\s+2/);
  });
  it('decode codes, text and JSON, with a scale', () => {
    const j = JSON.parse(rf8(['decode', '--json', '-X', '3', '0x3c', '0x80', '255']).stdout);
    expect(j.results.map((r: { value: number | null }) => r.value)).toEqual([56, null, -992]); // 0x3c = 28*2^-2 = 7; 0xff = -31*2^2 = -124; times 2^3
    expect(rf8(['decode', '0x01', '--format', 'ocp-e5m2']).stdout).toMatch(/0x01\s+subnormal\s+0\.0000152587890625/);
  });
  it('bulk encode/decode through files equals the library, atomically written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-cli-'));
    const src = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    writeFileSync(join(dir, 'x.f32'), new Uint8Array(src.buffer));
    const e = rf8(['encode', '--in', join(dir, 'x.f32'), '--out', join(dir, 'x.rf8'), '--scale', '-2', '--json']);
    expect(e.code).toBe(0);
    const codes = new Uint8Array(readFileSync(join(dir, 'x.rf8')));
    expect(codes).toEqual(encodeArray('rf8-e3m4', src, { scale: -2 }));
    const d = rf8(['decode', '--in', join(dir, 'x.rf8'), '--out', join(dir, 'y.f32'), '--scale', '-2']);
    expect(d.code).toBe(0);
    const back = new Float32Array(new Uint8Array(readFileSync(join(dir, 'y.f32'))).buffer);
    expect(back).toEqual(decodeArray('rf8-e3m4', codes, -2));
    // SR bulk is seeded: same seed, same bytes
    rf8(['encode', '--in', join(dir, 'x.f32'), '--out', join(dir, 's1.rf8'), '--rounding', 'sr', '--seed', '5']);
    rf8(['encode', '--in', join(dir, 'x.f32'), '--out', join(dir, 's2.rf8'), '--rounding', 'sr', '--seed', '5']);
    rf8(['encode', '--in', join(dir, 'x.f32'), '--out', join(dir, 's3.rf8'), '--rounding', 'sr', '--seed', '6']);
    expect(readFileSync(join(dir, 's1.rf8'))).toEqual(readFileSync(join(dir, 's2.rf8')));
    expect(readFileSync(join(dir, 's1.rf8'))).not.toEqual(readFileSync(join(dir, 's3.rf8')));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('mac: pairs from stdin, lanes, clear with init, flags, output conversion', () => {
    const r = rf8(['mac', '-N', '2', '--json', '--out-format', 'rf8-e3m4'], 'clear 10\n10 10 # 1*1\n30 30\n');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // 0x10 = 16*2^-4 = 1 (P = 16*16 = 256); 0x30 = 16*2^(2-4) = 4 (P = 256 << 4 = 4096); plus init 10
    expect(j.acc).toBe(String(10 + 256 + 4096));
    expect([j.nan, j.ovf, j.W, j.cycles]).toEqual([false, false, 35, 1]);
    expect(j.value).toBe('17.0390625');
    const o = JSON.parse(rf8(['mac', '-W', '10', '--json'], '7f 7f\n').stdout);
    expect([o.acc, o.ovf]).toEqual(['511', true]);
    const t = rf8(['mac'], '80 10\n');
    expect(t.stdout).toMatch(/nan=1 ovf=0/);
  });
  it('malformed input: one line on stderr, exit 2, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-bad-'));
    writeFileSync(join(dir, 'bad.f32'), Buffer.alloc(7));
    const cases: [string[], string | undefined, RegExp][] = [
      [['encode', 'abc'], undefined, /not a number: 'abc'/],
      [['encode', '1', '--format', 'e9m9'], undefined, /unknown format 'e9m9'/],
      [['encode', '1', '--scale', '300'], undefined, /--scale: 300 is out of range/],
      [['encode', '1', '--rounding', 'up'], undefined, /--rounding must be/],
      [['encode', '1', '--rounding', 'sr', '--u', '999'], undefined, /u must be an integer in \[0, 2\^8\)/],
      [['encode', '--in', join(dir, 'bad.f32'), '--out', join(dir, 'o.rf8')], undefined, /bad\.f32: raw \.f32 length 7 is not a multiple of 4/],
      [['encode', '--in', join(dir, 'missing.f32'), '--out', join(dir, 'o.rf8')], undefined, /missing\.f32: cannot read/],
      [['decode', '0x100'], undefined, /code: 0x100 is out of range/],
      [['mac'], 'zz 10\n', /<stdin>:1: bad code 'zz'/],
      [['mac', '-W', '8'], 'clear 1000\n', /does not fit in 8 bits/],
      [['table', '--bogus'], undefined, /Unknown argument/],
    ];
    for (const [args, input, re] of cases) {
      const r = rf8(args, input);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'o.rf8'))).toBe(false);
  });
});
