import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTables, getFormat } from '../../src/format/index.js';
import { maxProduct, productTable } from '../../src/arith/index.js';
import { customSuite, generateSuite, listSuites, suitePath } from '../../src/golden/index.js';
import { DPI_FORMATS, dpiIndex, writeDpi } from '../../src/verify-hw/dpi.js';
import { toolVersion } from '../../src/sim/tools.js';

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

  it('decode tables of every format', () => {
    for (const n of names) {
      const t = formatTables(n);
      const rows = run('decode', String(dpiIndex(n))).trim().split('\n');
      rows.forEach((r, c) => expect(r, `${n} code ${c}`).toBe(`${t.k[c]} ${t.sh[c]} ${t.sign[c]} ${t.nan[c]}`));
    }
  });
  it('exhaustive products of every format pair whose products fit the model int64 (all 65536 code pairs)', () => {
    let pairs = 0;
    for (const a of names)
      for (const b of names) {
        if (maxProduct(a, b) >= 1n << 63n) continue; // ocp-e5m2 x ocp-e5m2 (W = 66): beyond the DPI model (docs/verify-your-rtl.md)
        pairs++;
        const t = productTable(a, b);
        const rows = run('products', String(dpiIndex(a)), String(dpiIndex(b))).split('\n');
        for (let i = 0; i < 65536; i++) {
          const p = t[i]!;
          const want = p !== p ? '0 1' : `${BigInt(p)} 0`;
          if (rows[i] !== want) expect(rows[i], `${a} x ${b} index ${i}`).toBe(want);
        }
      }
    expect(pairs).toBeGreaterThanOrEqual(names.length * names.length - 1);
  });
  it('every committed DUT suite (MAC steps, flags, binary32 and code conversions), recomputed in C', () => {
    // the DPI conversions are RNE (docs/verify-your-rtl.md): suites with an output of a format without RNE (rf8) are the TS reference's
    const rne = (f: string): boolean => getFormat(f.split(':')[0]!).policy.roundings.includes('rne') && !f.includes(':');
    const dut = listSuites().filter((d) => d.committed && d.dot && d.dot.outs.every(rne));
    expect(dut.length).toBeGreaterThanOrEqual(3);
    for (const d of dut) {
      const s = d.dot!;
      const out = run('suite', suitePath(d), String(dpiIndex(s.a)), String(dpiIndex(s.b)), String(s.W), String(s.lanes), s.f32 ? '1' : '0', ...s.outs.map((o) => String(dpiIndex(o))));
      expect(out.trim(), d.name).toMatch(/^ok \d+$/);
    }
  });
  it('every committed saturating RNE encode suite (binary32 -> code at a scale)', () => {
    const enc = listSuites().filter((d) => d.committed && d.encode && d.encode.rounding === 'rne' && d.encode.overflow === 'sat');
    expect(enc.length).toBe(names.filter((n) => getFormat(n).policy.roundings.includes('rne')).length);
    for (const d of enc) expect(run('encode', suitePath(d), String(dpiIndex(d.encode!.fmt))).trim(), d.name).toMatch(/^ok \d+$/);
  });
  it('generated suites for other pairs, lane counts, widths and outputs', () => {
    for (const o of [
      { a: 'ocp-e5m2', b: 'int8', lanes: 3, W: 30, outs: ['ocp-e4m3', 'int8'] },
      { a: 'rf8-e2m5', b: 'rf8-e4m3', lanes: 8, outs: ['rf8-e2m5', 'ocp-e5m2', 'int8'] },
      { a: 'ocp-e4m3', b: 'ocp-e4m3', lanes: 2, outs: ['rf8-e3m4'] },
    ]) {
      const d = customSuite({ ...o, levels: ['edge', 'random'], count: 3000, seed: 2 });
      let t = '';
      generateSuite(d, (c) => (t += c));
      const f = join(dir, `${d.name}.txt`);
      writeFileSync(f, t);
      const s = d.dot!;
      expect(run('suite', f, String(dpiIndex(s.a)), String(dpiIndex(s.b)), String(s.W), String(s.lanes), '1', ...s.outs.map((x) => String(dpiIndex(getFormat(x))))).trim(), d.name).toMatch(/^ok \d+$/);
    }
  });
});
