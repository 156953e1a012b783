import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_NAMES, formatTables, getFormat, type FormatName } from '../../src/format/index.js';
import { accWidth } from '../../src/arith/index.js';
import {
  DEFAULT_CONFIGS,
  FAULTS,
  FAULT_NAMES,
  generateRtl,
  hwInput,
  hwOutput,
  faultApplies,
  lintIverilog,
  lintVerilator,
  lintYosys,
  resolveConfig,
} from '../../src/rtl/index.js';
import { InputError } from '../../src/util/errors.js';
import { ROOT, rf8 } from '../helpers/cli.js';
import { haveTools } from '../sim/tools.js';

const lintable = haveTools('verilator', 'iverilog', 'yosys');

describe('rtl configuration', () => {
  it('defaults W to the exact accWidth bound for nmax and reports why', () => {
    for (const [a, b] of [
      ['rf8-e3m4', 'rf8-e3m4'],
      ['rf8-e2m5', 'rf8-e4m3'],
      ['int8', 'ocp-e5m2'],
    ] as [FormatName, FormatName][]) {
      const c = resolveConfig({ a, b, nmax: 1000, lanes: 4 });
      const w = accWidth(a, b, 1000, 4);
      expect(c.W).toBe(w.W);
      expect(c.Wreason).toBe(w.reason);
      expect(c.PW).toBe(w.productBits + 1);
      expect(c.SW).toBe(w.productBits + 1 + 2);
    }
    // the spec's example: e3m4 x e3m4 over 4096 terms needs W = 35
    expect(resolveConfig({ a: 'rf8-e3m4' }).W).toBe(35);
    expect(resolveConfig({ a: 'rf8-e3m4', W: 40 }).W).toBe(40);
  });
  it('rejects bad options with InputError', () => {
    expect(() => resolveConfig({ a: 'rf9' })).toThrow(InputError);
    expect(() => resolveConfig({ lanes: 0 })).toThrow(InputError);
    expect(() => resolveConfig({ pipe: 7 })).toThrow(InputError);
    expect(() => resolveConfig({ pipe: -1 })).toThrow(InputError);
    expect(() => resolveConfig({ faults: ['no-such-bug'] })).toThrow(InputError);
    expect(() => resolveConfig({ outs: [], f32: false })).toThrow(InputError);
  });
});

describe('hardware traits come from the traits table and the reference', () => {
  it('the decoder NaN predicate selects exactly the NaN/Inf codes of formatTables', () => {
    for (const f of FORMAT_NAMES) {
      const hw = hwInput(f);
      const t = formatTables(f);
      for (let c = 0; c < 256; c++) {
        const isNan = hw.nan.kind === 'none' ? false : hw.nan.kind === 'cube' ? (c & hw.nan.mask) === hw.nan.value : hw.nan.codes.includes(c);
        expect(isNan, `${f} code ${c}`).toBe(t.nan[c] === 1);
      }
    }
  });
  it('output traits: rf8 has no negative zero, the OCP formats keep the sign; int8 is two\'s complement', () => {
    expect(hwOutput('rf8-e3m4').negZeroCode).toBe(0);
    expect(hwOutput('ocp-e4m3').negZeroCode).toBe(0x80);
    expect(hwOutput('int8').twos).toBe(true);
    expect(hwOutput('rf8-e3m4').nanCode).toBe(0x80);
    expect(hwOutput('ocp-e5m2').satPayload).toBe(getFormat('ocp-e5m2').maxPayload);
  });
});

describe('faults', () => {
  it('every fault changes exactly the block it names, and the clean design has no fault marker', () => {
    const clean = generateRtl({ a: 'rf8-e3m4', lanes: 4 });
    for (const s of clean.sources) expect(s.text).not.toMatch(/FAULT/);
    const blockFile: Record<string, RegExp> = { decoder: /_dec_/, multiplier: /_mul\./, tree: /_tree\./, accumulator: /_acc\./, converter: /_cvt_/ };
    // (the rf8 and codebook faults' sites exist only in their families' blocks: test/rtl/rf8.test.ts, test/rtl/codebook.test.ts)
    const here = FAULT_NAMES.filter((x) => faultApplies(x, clean.cfg));
    expect(here.length).toBe(FAULT_NAMES.filter((x) => !FAULTS[x].text.match(/^(rf8|codebook) /)).length);
    for (const f of here) {
      const g = generateRtl({ a: 'rf8-e3m4', lanes: 4, faults: [f] });
      const changed = g.sources.filter((s, i) => s.text.replace(/^\/\/.*\n/gm, '') !== clean.sources[i]!.text.replace(/^\/\/.*\n/gm, '')).map((s) => s.name);
      expect(changed.length, f).toBeGreaterThan(0);
      for (const n of changed) expect(n, `${f} changed ${n}`).toMatch(blockFile[FAULTS[f].block]!);
    }
    expect(FAULT_NAMES.length).toBeGreaterThanOrEqual(8);
  });
});

describe.skipIf(!lintable)('generated Verilog is clean under verilator -Wall, iverilog and yosys', () => {
  const configs = [
    { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 8 },
    { a: 'rf8-e2m5', b: 'rf8-e4m3', lanes: 1, pipe: 0, outs: ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'] },
    { a: 'rf8-e4m3', b: 'rf8-e2m5', lanes: 3, pipe: 3 },
    { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 4, pipe: 4, outs: ['rf8-e3m4', 'int8'] },
    { a: 'ocp-e5m2', b: 'int8', lanes: 2, pipe: 5, outs: ['ocp-e4m3', 'int8'] },
    { modes: ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'], lanes: 2, pipe: 5 },
    { a: 'int8', b: 'rf8-e3m4', lanes: 3, pipe: 6, outs: ['rf8-e2m5', 'int8'] },
    { a: 'ocp-e4m3', b: 'ocp-e5m2', lanes: 2, pipe: 1, outs: ['ocp-e4m3', 'ocp-e5m2', 'int8'] },
    { a: 'int8', b: 'int8', lanes: 5, outs: ['int8'], f32: false },
    { a: 'ocp-e5m2', b: 'int8', lanes: 32, outs: [] as string[] },
    { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 4, W: 20 },
    { a: 'rf8-e4m3', b: 'rf8-e4m3', lanes: 2, W: 100, prefix: 'wide_' },
  ];
  for (const c of configs) {
    it(`${generateRtl(c).cfg.id}`, async () => {
      const g = generateRtl(c);
      const v = await lintVerilator(g);
      expect(v.output).toBe('');
      expect(v.ok).toBe(true);
      const i = await lintIverilog(g);
      expect(i.ok, i.output).toBe(true);
      const y = await lintYosys(g);
      expect(y.ok, y.output).toBe(true);
    });
  }
});

describe('rf8 rtl (CLI)', () => {
  it('writes the configuration of the issue, with W and its reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-rtl-'));
    try {
      const r = rf8(['rtl', '--a', 'rf8-e3m4', '--b', 'rf8-e3m4', '--lanes', '8', '--out', dir, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.W).toBe(35);
      expect(j.Wreason).toMatch(/4096/);
      const files = readdirSync(join(dir, j.id));
      for (const m of ['rf8_dot.sv', 'rf8_dec_a.sv', 'rf8_mul.sv', 'rf8_tree.sv', 'rf8_acc.sv', 'rf8_cvt_o0.sv', 'rf8_cvt_f32.sv', 'rf8_dot.f', 'config.json']) expect(files).toContain(m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('rtl/ holds the default configurations exactly as the generator writes them', () => {
    for (const c of DEFAULT_CONFIGS) {
      const g = generateRtl(c);
      for (const f of g.files) {
        const p = join(ROOT, 'rtl', g.cfg.id, f.name);
        expect(existsSync(p), p).toBe(true);
        expect(readFileSync(p, 'utf8'), p).toBe(f.text);
      }
    }
    const r = rf8(['rtl', '--defaults', '--check']);
    expect(r.code, r.stderr).toBe(0);
  });
  it('bad usage exits 2 with one line', () => {
    const r = rf8(['rtl', '--inject', 'no-such-bug']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown fault/);
  });
});
