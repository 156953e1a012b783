import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODEBOOK_NAMES, CORE_FORMAT_NAMES, SAMPLE_FORMAT_NAMES, codebookTables, encodeFromBits, formatTables, getFormat } from '../../src/format/index.js';
import { accToFormat, productTable } from '../../src/arith/index.js';
import { Rng } from '../../src/util/rng.js';
import { parseOut } from '../../src/rtl/index.js';
import { customSuite, ensureSuite, generateSuite, listSuites, suitePath } from '../../src/golden/index.js';
import { DPI_FORMATS, dpiIndex, dpiRounding, writeDpi } from '../../src/verify-hw/dpi.js';
import { toolVersion } from '../../src/sim/tools.js';
import { ROOT } from '../helpers/cli.js';

// the system C compiler: cc (or gcc; g++ compiling as C where only g++ is installed, as in .ci/run)
const cc = ((): string[] | null => {
  for (const c of [['cc'], ['gcc'], ['g++', '-x', 'c']]) {
    try {
      execFileSync(c[0]!, ['--version'], { stdio: 'ignore' });
      return c;
    } catch {
      /* next */
    }
  }
  if (process.env.CI) throw new Error('the DPI-C test needs a C compiler (apt-get install gcc)');
  return null;
})();
void toolVersion;

describe.skipIf(!cc)('the DPI-C reference model is the TS reference bit for bit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rf8-dpi-'));
  writeDpi(dir);
  const exe = join(dir, 'rf8_ref_check');
  execFileSync(cc![0]!, [...cc!.slice(1), '-O2', '-Wall', '-Werror', '-o', exe, join(dir, 'rf8_ref_check.c'), join(dir, 'rf8_ref.c'), '-lm']);
  const run = (...a: string[]): string => execFileSync(exe, a, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const names = [...DPI_FORMATS];
  // an output label (rf8-e3m4, rf8:nearest) as the driver's F:MODE
  const outArg = (label: string): string => {
    const o = parseOut(label);
    return `${dpiIndex(o.fmt)}:${dpiRounding(o.rounding)}`;
  };
  const suiteArgs = (file: string, s: { a: string; b: string; W: number; lanes: number; f32: boolean; outs: readonly string[] }): string[] => [
    'suite',
    file,
    String(dpiIndex(s.a)),
    String(dpiIndex(s.b)),
    String(s.W),
    String(s.lanes),
    s.f32 ? '1' : '0',
    ...s.outs.map(outArg),
  ];

  it('decode tables of every format', () => {
    for (const n of names) {
      const t = formatTables(n);
      const rows = run('decode', String(dpiIndex(n))).trim().split('\n');
      rows.forEach((r, c) => expect(r, `${n} code ${c}`).toBe(`${t.k[c]} ${t.sh[c]} ${t.sign[c]} ${t.nan[c]}`));
    }
  });
  it('the formats: the core seven at their old indices, then the 32 GG codebooks', () => {
    expect(names).toEqual([...CORE_FORMAT_NAMES, ...CODEBOOK_NAMES]);
    expect(CODEBOOK_NAMES).toHaveLength(32);
    expect(dpiIndex('rf8')).toBe(CORE_FORMAT_NAMES.length - 1);
  });
  // every pair of the sample set (the core formats and cb-b1-p0), then codebook pairs of the widest shifts with the widest core formats
  for (const set of [SAMPLE_FORMAT_NAMES, ['cb-b0.3-p3', 'cb-b4-p3', 'cb-b2-p1', 'rf8', 'ocp-e5m2']])
    it(`exhaustive products of every pair of ${set.length} formats (${set.join(', ')}; all 65536 code pairs each)`, () => productsOf(set));
  const productsOf = (set: readonly string[]): void => {
    const buf = execFileSync(exe, ['products', ...set.map((n) => String(dpiIndex(n)))], { maxBuffer: 1 << 26 });
    expect(buf.length).toBe(set.length * set.length * 65536 * 12);
    const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    let r = 0;
    for (const a of set)
      for (const b of set) {
        const t = productTable(a, b);
        let bad = -1;
        for (let i = 0; i < 65536; i++, r += 3) {
          const p = t[i]!;
          // the exact integer |P| (a double: k * 2^sh) in two 32-bit words, compared word by word
          const ap = Math.abs(p);
          const hi = Math.floor(ap / 2 ** 32);
          const ok = p !== p ? w[r] === 1 && w[r + 1] === 0 && w[r + 2] === 0 : w[r] === (p < 0 ? 2 : 0) && w[r + 1] === ap - hi * 2 ** 32 && w[r + 2] === hi;
          if (!ok && bad < 0) bad = i;
        }
        if (bad >= 0) {
          const q = r - 3 * (65536 - bad);
          expect(Array.from(w.subarray(q, q + 3)), `${a} x ${b} index ${bad}: P = ${t[bad]}`).toBe('');
        }
      }
    expect(r).toBe(w.length);
  };
  it('every line of the codebook\'s on-demand suites (exhaustive products with itself and rf8-e3m4, conversions, MAC sequences), recomputed in C', { timeout: 300_000 }, () => {
    const cb = listSuites().filter((d) => !d.committed && d.dot && !d.dot.modes && [d.dot.a, d.dot.b].some((f) => getFormat(f).policy.decoder === 'table'));
    expect(cb.map((d) => d.name).sort()).toEqual(['cvt-cbb1p0-cbb1p0', 'mac-cbb1p0-cbb1p0-n8', 'mac-cbb1p0-e3m4-n8', 'prod-cbb1p0-cbb1p0', 'prod-cbb1p0-e3m4', 'prod-e3m4-cbb1p0']);
    for (const d of cb) {
      const path = ensureSuite(d);
      const lines = readFileSync(path, 'latin1').split('\n').filter((l) => l && !l.startsWith('#')).length;
      expect(run(...suiteArgs(path, d.dot!)).trim(), d.name).toBe(`ok ${lines}`);
    }
  });
  it('binary32 -> every codebook at several scales: every value and midpoint one binary32 ulp either side, zero, NaN, infinity, random', () => {
    const rng = new Rng(29);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (const n of CODEBOOK_NAMES) {
      const f = getFormat(n);
      const t = codebookTables(f);
      const bits: number[] = [0, 0x80000000, 0x7fc00000, 0xffc00000, 0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff];
      // vals in units of 2^(tmin - 1), mids in units of 2^(tmin - 2)
      for (let p = 1; p < t.vals.length; p++) {
        f32[0] = t.vals[p]! * 2 ** (f.tmin - 1);
        bits.push(u32[0]!);
        f32[0] = t.mids[p - 1]! * 2 ** (f.tmin - 2);
        bits.push(u32[0]! - 1, u32[0]!, u32[0]! + 1);
      }
      for (let j = 0; j < 200; j++) bits.push(rng.int(2 ** 16) * 2 ** 16 + rng.int(2 ** 16));
      const rows: string[] = [];
      for (const X of [0, -3, 5, -128, 127])
        for (const b0 of bits)
          for (const sg of [0, 0x80000000]) {
            const b = (b0 ^ sg) >>> 0;
            rows.push(`${b.toString(16)} ${(X & 0xff).toString(16)} ${encodeFromBits(f, 'f32', b, { scale: X, rounding: 'nearest' }).toString(16)}`);
          }
      const file = join(dir, `enc-${n}.txt`);
      writeFileSync(file, rows.join('\n') + '\n');
      expect(run('encode', file, String(dpiIndex(n)), String(dpiRounding('nearest')), '0', '8').trim(), n).toBe(`ok ${rows.length}`);
    }
  });
  it('every line of every committed DUT suite (MAC steps, flags, binary32 and code conversions, rf8 greedy and nearest), recomputed in C', () => {
    const dut = listSuites().filter((d) => d.committed && d.dot);
    expect(dut.map((d) => d.name)).toEqual(expect.arrayContaining(['cvt-e3m4-e3m4', 'cvt-e3m4-rf8', 'mac-e3m4-rf8-n8', 'mac-rf8-rf8-n1']));
    for (const d of dut) {
      const out = run(...suiteArgs(suitePath(d), d.dot!));
      const lines = readFileSync(suitePath(d), 'latin1').split('\n').filter((l) => l && !l.startsWith('#')).length;
      expect(out.trim(), d.name).toBe(`ok ${lines}`);
    }
  });
  it('every line of every committed encode suite (binary32 -> code at a scale: every format, every rounding, both overflow modes)', () => {
    const enc = listSuites().filter((d) => d.committed && d.encode);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'golden', 'manifest.json'), 'utf8')) as { suites: { name: string; kind: string; committed: boolean }[] };
    expect(enc.map((d) => d.name).sort()).toEqual(manifest.suites.filter((m) => m.kind === 'encode' && m.committed).map((m) => m.name).sort());
    expect(enc.map((d) => d.name)).toEqual(expect.arrayContaining(['encode-rf8-greedy', 'encode-rf8-nearest', 'encode-e3m4-sr', 'encode-ocpe5m2-rne-nonsat']));
    for (const d of enc) {
      const e = d.encode!;
      const text = readFileSync(suitePath(d), 'latin1');
      const r = /^# rounding: sr \(r = (\d+)\)/m.exec(text)?.[1] ?? '8';
      const lines = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
      expect(run('encode', suitePath(d), String(dpiIndex(e.fmt)), String(dpiRounding(e.rounding)), e.overflow === 'nonsat' ? '1' : '0', r).trim(), d.name).toBe(`ok ${lines}`);
    }
  });
  it('output conversions into every format and rounding (rf8 greedy and nearest included) at every output scale, ReLU both ways, accumulators of 1 to 64 bits', () => {
    const rng = new Rng(13);
    const rows: string[] = [];
    const want: number[] = [];
    for (const n of names) {
      const f = getFormat(n);
      for (const rd of f.policy.roundings.filter((r) => r !== 'sr')) {
        const accs: bigint[] = [];
        for (let bits = 1; bits <= 63; bits++) for (let j = 0; j < 3; j++) accs.push((1n << BigInt(bits - 1)) + BigInt(Math.floor(rng.float() * 2 ** Math.min(bits - 1, 52))));
        accs.push((1n << 63n) - 1n);
        for (let Xo = -128; Xo <= 127; Xo++)
          for (let j = 0; j < 6; j++) {
            const a = accs[rng.int(accs.length)]!;
            const acc = j & 1 ? -a : a;
            const T = f.tmin + rng.int(120) - 60 + (j < 2 ? -40 : 0);
            const relu = j === 3;
            rows.push(`${dpiIndex(n)} ${dpiRounding(rd)} ${acc} 0 ${T} ${Xo} ${relu ? 1 : 0}`);
            want.push(accToFormat(acc, false, T, f, Xo, relu, rd));
          }
        rows.push(`${dpiIndex(n)} ${dpiRounding(rd)} 5 1 0 0 0`);
        want.push(accToFormat(5n, true, 0, f, 0, false, rd));
        rows.push(`${dpiIndex(n)} ${dpiRounding(rd)} -9223372036854775807 0 -70 3 0`);
        want.push(accToFormat(-(2n ** 63n) + 1n, false, -70, f, 3, false, rd));
      }
    }
    const file = join(dir, 'cvt.txt');
    writeFileSync(file, rows.join('\n') + '\n');
    const got = run('cvt', file).trim().split('\n').map(Number);
    expect(got.length).toBe(want.length);
    const bad = got.findIndex((g, i) => g !== want[i]);
    if (bad >= 0) expect(`${rows[bad]} -> ${got[bad]}`).toBe(`${rows[bad]} -> ${want[bad]}`);
  });
  it('generated suites for other pairs, lane counts, widths and outputs (W = 64, rf8 nearest)', () => {
    for (const o of [
      { a: 'ocp-e5m2', b: 'int8', lanes: 3, W: 30, outs: ['ocp-e4m3', 'int8'] },
      { a: 'rf8-e2m5', b: 'rf8-e4m3', lanes: 8, outs: ['rf8-e2m5', 'ocp-e5m2', 'int8'] },
      { a: 'ocp-e4m3', b: 'ocp-e4m3', lanes: 2, outs: ['rf8-e3m4'] },
      { a: 'ocp-e5m2', b: 'rf8', lanes: 4, outs: ['rf8', 'rf8:nearest', 'ocp-e5m2'] },
      { a: 'rf8', b: 'int8', lanes: 2, W: 30, outs: ['rf8:nearest', 'rf8-e2m5'] },
      { a: 'cb-b1-p0', b: 'rf8-e3m4', lanes: 8, outs: ['cb-b1-p0', 'rf8-e3m4'] },
      { a: 'cb-b0.3-p3', b: 'cb-b4-p3', lanes: 3, outs: ['cb-b2-p1', 'rf8:nearest', 'int8'] },
      { a: 'rf8', b: 'cb-b0.5-p0', lanes: 2, outs: ['cb-b0.5-p0', 'rf8'] },
    ]) {
      const d = customSuite({ ...o, levels: ['edge', 'random'], count: 2000, seed: 2 });
      let t = '';
      generateSuite(d, (c) => (t += c));
      const f = join(dir, `${d.name}.txt`);
      writeFileSync(f, t);
      const s = d.dot!;
      expect(s.outs).toEqual(o.outs);
      if (o.b === 'rf8' && o.a === 'ocp-e5m2') expect(s.W).toBe(64);
      expect(run(...suiteArgs(f, s)).trim(), d.name).toMatch(/^ok \d+$/);
    }
  });
});
