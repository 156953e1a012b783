import { describe, expect, it } from 'vitest';
import {
  ALL_FORMAT_NAMES, CODEBOOK_NAMES, CORE_FORMAT_NAMES, FORMATS, FORMAT_NAMES, SAMPLE_FORMAT_NAMES, decodeValue, finfo, formatListText, getFormat,
} from '../../src/format/index.js';
import { listSuites } from '../../src/golden/index.js';
import { RTL_DECODER_KINDS, resolveConfig } from '../../src/rtl/index.js';
import { DPI_FORMATS } from '../../src/verify-hw/dpi.js';
import { ESTIMATE_FORMATS } from '../../src/estimate/index.js';
import { runSqnrSweep } from '../../src/quant/sweep.js';
import { parseCandidates } from '../../src/quant/index.js';
import { exhaustiveRf8Suites } from '../../src/cli/commands/cosim.js';
import { InputError } from '../../src/util/errors.js';

// 32 GG codebooks must not multiply the generic loops over "every format": each format record
// says which loops take it (`enumerate`), and each place takes the core formats, the core plus
// the one representative codebook, or the codebooks only where asked.

const getFormatOrNull = (n: string): unknown => {
  try {
    return getFormat(n);
  } catch {
    return null;
  }
};

// The seven formats of spec sections 1 and 8, written here from the spec text.
const SEVEN = ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3', 'ocp-e4m3', 'ocp-e5m2', 'int8', 'rf8'];

describe('format loops are bounded by data (enumerate), not by names', () => {
  it('every record says which loops take it; the lists follow from the records', () => {
    expect([...CORE_FORMAT_NAMES].sort()).toEqual([...SEVEN].sort());
    expect(ALL_FORMAT_NAMES).toHaveLength(SEVEN.length + 32);
    for (const n of ALL_FORMAT_NAMES) {
      const e = FORMATS[n].enumerate;
      expect(['every', 'sample', 'named'], n).toContain(e);
      expect(CORE_FORMAT_NAMES.includes(n)).toBe(e === 'every');
      expect(SAMPLE_FORMAT_NAMES.includes(n)).toBe(e !== 'named');
    }
    // one representative codebook: beta 1, made for alpha = 1
    expect(SAMPLE_FORMAT_NAMES.filter((n) => !CORE_FORMAT_NAMES.includes(n))).toEqual(['cb-b1-p0']);
    expect(CODEBOOK_NAMES.filter((n) => FORMATS[n].enumerate === 'sample')).toEqual(['cb-b1-p0']);
    // the RNE layouts stay the layouts
    for (const n of CODEBOOK_NAMES) expect(FORMAT_NAMES).not.toContain(n);
  });

  it('help texts and the unknown-format error name the core formats and the codebooks as one pattern', () => {
    const t = formatListText();
    for (const n of SEVEN) expect(t).toContain(n);
    expect(t).toContain('cb-b<beta>-p<j>');
    expect(t).toContain('32 GG codebooks');
    expect(t).not.toContain('cb-b0.3-p1');
    let msg = '';
    try {
      getFormat('nope');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      msg = (e as Error).message;
    }
    expect(msg).toContain('cb-b<beta>-p<j>');
    expect(msg.length).toBeLessThan(400);
  });

  it('golden suites take the core formats and the sample codebook; the cosim rf8 set and estimates the core; the DPI model every format; the sweep codebooks only when asked', () => {
    const names = listSuites().map((d) => d.name);
    expect(names.filter((n) => n.includes('cb'))).toEqual(['prod-cbb1p0-cbb1p0', 'cvt-cbb1p0-cbb1p0', 'prod-cbb1p0-e3m4', 'prod-e3m4-cbb1p0', 'mac-cbb1p0-cbb1p0-n8', 'mac-cbb1p0-e3m4-n8']);
    for (const d of listSuites()) if (d.dot) for (const f of [d.dot.a, d.dot.b, ...d.dot.outs]) expect(SAMPLE_FORMAT_NAMES, d.name).toContain(f.split(':')[0]);
    for (const s of exhaustiveRf8Suites()) expect(names, s).toContain(s);
    expect([...DPI_FORMATS]).toEqual([...CORE_FORMAT_NAMES, ...CODEBOOK_NAMES]);
    expect(ESTIMATE_FORMATS.filter((f) => getFormatOrNull(f) !== null)).toEqual([...CORE_FORMAT_NAMES]);
    expect(ESTIMATE_FORMATS).toHaveLength(CORE_FORMAT_NAMES.length + 1); // and the multi-mode unit
    const r = runSqnrSweep({ betas: [1], n: 500, methods: ['amax'] });
    expect(r.formats).toEqual([...CORE_FORMAT_NAMES]);
    expect(r.rows[0]!.codebook).toBeUndefined();
    // the auto candidates: 'codebooks' expands to the family, only when named
    expect(parseCandidates('gg-modes,codebooks')).toHaveLength(3 + 32);
  });

  it('finfo of every format, the codebooks included (1 need not be a value: the gaps around the value nearest 1)', () => {
    for (const n of ALL_FORMAT_NAMES) {
      const i = finfo(n);
      expect(i.max, n).toBe(FORMATS[n].maxFinite);
      expect(i.eps > 0 && i.epsneg > 0, n).toBe(true);
    }
    // an independent look at one codebook: the values nearest 1 from decodeValue over the positive codes
    const v = Array.from({ length: 127 }, (_, p) => decodeValue('cb-b1-p0', p + 1));
    let j = 0;
    for (let p = 1; p < 127; p++) if (Math.abs(v[p]! - 1) < Math.abs(v[j]! - 1)) j = p;
    expect(finfo('cb-b1-p0').eps).toBe(v[j + 1]! - v[j]!);
    expect(finfo('cb-b1-p0').epsneg).toBe(v[j]! - v[j - 1]!);
  });

  it('the RTL generator has blocks for every decoder kind (the codebooks: test/rtl/codebook.test.ts)', () => {
    expect([...new Set(ALL_FORMAT_NAMES.map((n) => FORMATS[n].policy.decoder))].every((k) => RTL_DECODER_KINDS.includes(k))).toBe(true);
    expect(resolveConfig({ a: 'cb-b1-p0', b: 'cb-b2-p1', outs: ['cb-b1-p0'] }).fb.name).toBe('cb-b2-p1');
  });
});
