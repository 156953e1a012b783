import { describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customSuite } from '../../src/golden/index.js';
import { cacheRoot } from '../../src/sim/paths.js';
import { loadDesign } from '../../src/verify-hw/portmap.js';
import { cosimDut, iverilogDut, propsDut } from '../../src/verify-hw/dut.js';
import { genTo } from '../../src/verify-hw/gen.js';
import { verifyFile } from '../../src/verify-hw/verify.js';
import { writeDpi } from '../../src/verify-hw/dpi.js';
import { ROOT, rf8Async } from '../helpers/cli.js';
import { haveTools } from '../sim/tools.js';

/**
 * examples/handmac: a hand-written rf8-e3m4 MAC (own names, latency 1, acc + one code output)
 * with 4 injectable bugs, verified by all four routes. The bugs: 1 sticky NaN lost, 2 rounding
 * ties away from zero, 3 ReLU before the NaN test, 4 scales of the first beat. Each route sees
 * each bug and reports a decoded first mismatch.
 */
// long tool runs are async: a blocked test worker loses its RPC to vitest
const run = promisify(execFile);
const ok = haveTools('verilator', 'iverilog', 'vvp', 'g++');
const EX = join(ROOT, 'examples', 'handmac');
const V = join(EX, 'handmac.v');
const MAP = join(EX, 'handmac.ports.json');
const BUGS = [1, 2, 3, 4];
const tmp = mkdtempSync(join(tmpdir(), 'rf8-handmac-'));
// a small suite of the design's configuration: rf8 gen edge cases + 2000 random beats
const suite = customSuite({ a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 1, W: 35, outs: ['rf8-e3m4'], f32: false, levels: ['edge', 'random'], count: 2000, seed: 13 });

describe.skipIf(!ok)('examples/handmac: a third-party design through every route', () => {
  it('port map errors: exit 2, one line naming the map file, the port and the problem', { timeout: 300_000 }, async () => {
    const base = JSON.parse(readFileSync(MAP, 'utf8'));
    const cases: [string, (m: any) => void, RegExp][] = [
      ['wrong name', (m) => (m.inputs.a = 's_weight'), /inputs\.a: port 's_weight' is not a port of handmac/],
      ['wrong width', (m) => (m.inputs.xo = 's_bias'), /inputs\.xo: port 's_bias' is 35 bits wide, expected 8/],
      ['missing role', (m) => delete m.inputs.first, /inputs\.first: missing role/],
      ['unmapped input', (m) => delete m.inputs.relu, /s_relu: input port of handmac has no role in the map/],
    ];
    for (const [what, edit, re] of cases) {
      const m = structuredClone(base);
      edit(m);
      const f = join(tmp, `bad-${what.replace(/ /g, '-')}.json`);
      writeFileSync(f, JSON.stringify(m));
      const r = await rf8Async(['cosim', '--dut', V, '--ports', f]);
      expect(r.code, what).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, what).toHaveLength(1);
      expect(lines[0], what).toContain(f);
      expect(lines[0], what).toMatch(re);
    }
  });

  const design = (params: Record<string, string> = {}) => loadDesign(MAP, [V], undefined, {}, params);

  it('route 1, cosim --dut (Verilator, one model, bugs selected at run time): clean passes, every bug fails decoded', { timeout: 600_000 }, async () => {
    const d = design({ BUG: '8' });
    const clean = await cosimDut(d, suite, { wave: false });
    expect(clean.pass, JSON.stringify(clean.mismatch)).toBe(true);
    expect(clean.latency).toBe(1);
    for (const b of BUGS) {
      // (the FST window of a failure is covered by test/sim; no traced build here, to keep CI short)
      const r = await cosimDut(d, suite, { faultSel: b, wave: false });
      expect(r.pass, `bug ${b}`).toBe(false);
      const m = r.mismatch!;
      expect(m.fields).toContain('codes');
      expect(String(m.expected['rf8-e3m4'])).toMatch(/^0x[0-9a-f]{2} \(/);
      expect(String(m.actual['rf8-e3m4'])).not.toBe(String(m.expected['rf8-e3m4']));
      expect(String(m.expected.acc)).toMatch(/value .* = acc \* 2\^/);
      expect((m.inputs.a as string[])[0]).toMatch(/^0x[0-9a-f]{2} \(/);
    }
  });

  it('route 1 under Icarus (the parameter switch): clean passes, every bug fails decoded', { timeout: 600_000 }, async () => {
    for (const b of [0, ...BUGS]) {
      const r = await iverilogDut(design({ BUG: String(b) }), suite, { wave: false });
      expect(r.pass, `bug ${b}`).toBe(b === 0);
      if (b) {
        const m = r.mismatch as Exclude<typeof r.mismatch, string | undefined>;
        expect(typeof m).toBe('object');
        expect(m.fields).toContain('codes');
        expect(String(m.actual['rf8-e3m4'])).toMatch(/^0x[0-9a-f]{2} \(/);
      }
    }
  });

  it('route 2, --props: clean passes, every bug fails with a shrunk sequence and a decoded output', { timeout: 600_000 }, async () => {
    const d = design({ BUG: '8' });
    const clean = await propsDut(d, { runs: 100, seed: 3 });
    expect(clean.pass, clean.difference).toBe(true);
    for (const b of BUGS) {
      const r = await propsDut(d, { runs: 300, seed: 3, faultSel: b });
      expect(r.pass, `bug ${b}`).toBe(false);
      expect(r.counterexample!.length).toBeLessThanOrEqual(4);
      expect(r.decoded!.fields).toEqual(['rf8-e3m4']);
      expect(String(r.decoded!.actual['rf8-e3m4'])).toMatch(/^0x[0-9a-f]{2} \(/);
    }
  });

  it('route 3, rf8 verify of a results file dumped by a plain Icarus test bench reading rf8 gen vectors', { timeout: 600_000 }, async () => {
    const vec = join(tmp, 'vectors.hex');
    const n = genTo(vec, suite, { format: 'mem' });
    for (const b of [0, ...BUGS]) {
      const exe = join(tmp, `tb${b}.vvp`);
      await run('iverilog', ['-g2012', `-DHANDMAC_BUG=${b}`, '-o', exe, '-s', 'tb_dump', join(EX, 'tb_dump.v'), V]);
      const res = join(tmp, `results${b}.txt`);
      const { stdout: out } = await run('vvp', ['-n', exe, `+vectors=${vec}`, `+n=${n}`, `+results=${res}`], { encoding: 'utf8' });
      expect(out).toContain(`DUMPED ${n} beats`);
      const r = await verifyFile(res);
      expect(r.pass, `bug ${b}`).toBe(b === 0);
      expect(r.outputs).toBeGreaterThan(1000);
      if (b) {
        expect(r.mismatches.codes['rf8-e3m4']).toBeGreaterThan(0);
        expect(r.first[0]!.fields).toEqual(['rf8-e3m4']);
        expect(String(r.first[0]!.expected['rf8-e3m4'])).toMatch(/^0x[0-9a-f]{2} \(/);
        const cli = await rf8Async(['verify', res]);
        expect(cli.code).toBe(1);
        expect(cli.stdout).toMatch(/first mismatch in .* line \d+: rf8-e3m4/);
      }
    }
  });

  it('route 4, the DPI-C scoreboard under Verilator: clean passes, every bug fails decoded', { timeout: 600_000 }, async () => {
    const dpi = join(tmp, 'dpi');
    writeDpi(dpi);
    const srcs = [join(dpi, 'rf8_ref_pkg.sv'), V, join(EX, 'dpi_scoreboard.sv'), join(dpi, 'rf8_ref.c')];
    // cached like src/sim/build.ts: the binary is keyed by the sources and the Verilator version
    const key = createHash('sha256').update(srcs.map((f) => readFileSync(f, 'utf8')).join('\0')).update(execFileSync('verilator', ['--version'], { encoding: 'utf8' })).digest('hex').slice(0, 12);
    const dir = join(cacheRoot(), 'sim', `handmac-scoreboard-${key}`);
    const exe = join(dir, 'Vdpi_scoreboard');
    if (!existsSync(exe)) {
      const t = `${dir}.tmp-${process.pid}`;
      rmSync(t, { recursive: true, force: true });
      mkdirSync(t, { recursive: true });
      await run('verilator', ['--binary', '--timing', '-Wno-fatal', '-j', '2', '--top-module', 'dpi_scoreboard', '-Mdir', t, ...srcs], { maxBuffer: 1 << 26 });
      rmSync(dir, { recursive: true, force: true });
      renameSync(t, dir);
    }
    const vec = join(tmp, 'vectors-sb.hex');
    const n = genTo(vec, suite, { format: 'mem' });
    for (const b of [0, ...BUGS]) {
      const { stdout: out } = await run(exe, [`+vectors=${vec}`, `+n=${n}`, `+bug=${b}`], { encoding: 'utf8' });
      if (b === 0) expect(out).toMatch(/SCOREBOARD PASS \d+ beats/);
      else {
        expect(out, `bug ${b}`).toMatch(/SCOREBOARD MISMATCH beat \d+ \(output \d+\):\s+rf8-e3m4/);
        expect(out).toMatch(/expected: acc -?\d+ \(value .* = acc \* 2\^-?\d+\) nan \d rf8-e3m4 0x[0-9a-f]{2} \(/);
        expect(out).toMatch(/actual: +acc -?\d+ \(value .*\) rf8-e3m4 0x[0-9a-f]{2} \(/);
      }
    }
  });
});
