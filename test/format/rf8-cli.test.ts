import { describe, expect, it } from 'vitest';
import { rf8 } from '../helpers/cli.js';
import { modelDecode, modelGreedy, modelNearest } from './rf8-model.js';

// the CLI on the authors' rf8 (spec section 8): table / encode / decode / mac with --format rf8

describe('rf8 CLI with --format rf8', () => {
  it('table: 256 codes, values from the code table; JSON names the residual decoder and k by R', () => {
    const j = JSON.parse(rf8(['table', '--format', 'rf8', '--json']).stdout);
    expect(j.format).toBe('rf8');
    expect(j.decoder).toBe('residual');
    expect(j.kTable).toEqual([16, 24, 20, 12, 18, 14, 17, 15]);
    expect(j.codes).toHaveLength(256);
    for (let c = 0; c < 256; c++) {
      const m = modelDecode(c);
      if (m.nan) expect(j.codes[c].kind).toBe('nan');
      else expect(Number(j.codes[c].value)).toBe(Number(m.v.num) * 2 ** m.v.exp || 0);
    }
    const t = rf8(['table', '-f', 'rf8']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/0x79\s+normal\s+0\s+24\s+3\s+192/);
  });
  it('encode: greedy by default, --rounding nearest; scale; other roundings exit 2 with one line', () => {
    const xs = ['1.4', '1.45', '3', '181', '-200', '0.0054', 'nan', 'inf', '-0'];
    const g = JSON.parse(rf8(['encode', '-f', 'rf8', '--json', '-X', '-2', ...xs]).stdout);
    expect(g.options.rounding).toBe('greedy');
    expect(g.results.map((r: { code: number }) => r.code)).toEqual(xs.map((x) => modelGreedy(x === 'nan' ? NaN : x === 'inf' ? Infinity : Number(x), -2)));
    const n = JSON.parse(rf8(['encode', '-f', 'rf8', '--json', '--rounding', 'nearest', ...xs]).stdout);
    expect(n.results.map((r: { code: number }) => r.code)).toEqual(xs.map((x) => modelNearest(x === 'nan' ? NaN : x === 'inf' ? Infinity : Number(x), 0)));
    for (const r of ['rne', 'rtz', 'sr']) {
      const e = rf8(['encode', '-f', 'rf8', '--rounding', r, '1']);
      expect(e.code).toBe(2);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
      expect(e.stderr).toMatch(new RegExp(`${r} is not available for format rf8`));
    }
    const e = rf8(['encode', '-f', 'rf8-e3m4', '--rounding', 'greedy', '1']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/greedy is not available for format rf8-e3m4/);
  });
  it('decode: every E = 0 code is zero, 0x80 NaN, scale applies', () => {
    const j = JSON.parse(rf8(['decode', '-f', 'rf8', '--json', '-X', '1', '0x00', '0x87', '0x80', '0x79', '0xd3', '0x0b']).stdout);
    expect(j.results.map((r: { kind: string }) => r.kind)).toEqual(['zero', 'zero', 'nan', 'normal', 'normal', 'normal']);
    expect(j.results.map((r: { exact: string }) => r.exact)).toEqual(['0', '0', 'NaN', '384', '-6', '0.01171875']);
  });
  it('mac: -a/-b rf8 take W from the spec bound; --out-format rf8 rounds the exact accumulator greedy or nearest', () => {
    const rr = JSON.parse(rf8(['mac', '-a', 'rf8', '-b', 'rf8', '--json', '--out-format', 'rf8'], '4b 4b\n79 79\n').stdout);
    expect(rr.W).toBe(51);
    expect(rr.value).toBe(String(1.5 * 1.5 + 192 * 192));
    expect(rr.out.hex).toBe('0x79'); // saturates
    const e = JSON.parse(rf8(['mac', '-a', 'rf8-e3m4', '-b', 'rf8', '--json', '--out-format', 'rf8', '--rounding', 'nearest'], '4b 4b\n').stdout);
    expect(e.W).toBe(43);
    expect(e.value).toBe('20.25'); // 13.5 * 1.5
    expect(e.out.code).toBe(modelNearest(20.25, 0));
    const i = JSON.parse(rf8(['mac', '-a', 'int8', '-b', 'rf8', '--json', '--out-format', 'rf8'], '03 4b\n').stdout);
    expect(i.W).toBe(39);
    expect(i.out.code).toBe(modelGreedy(4.5, 0));
    const bad = rf8(['mac', '-a', 'rf8', '-b', 'rf8', '--out-format', 'rf8', '--rounding', 'rne'], '4b 4b\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
