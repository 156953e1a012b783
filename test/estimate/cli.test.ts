import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8, rf8Async } from '../helpers/cli.js';
import { haveEdaTool } from '../../src/estimate/index.js';

const live = haveEdaTool('yosys') && haveEdaTool('nextpnr-ice40');
const runLive = live || !!process.env.CI;

describe('rf8 estimate: bad input', () => {
  it('exit 2 with a one-line reason', () => {
    for (const args of [
      ['--device', 'virtex2'],
      ['--lanes', '0'],
      ['--formats', 'fp9'],
      ['--seeds', 'x'],
      ['--bandwidth', '-1'],
    ]) {
      const r = rf8(['estimate', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('rf8:') || /Invalid values/.test(l)).length).toBeGreaterThan(0);
    }
  });
  it('names the package when yosys is missing', () => {
    const r = rf8(['estimate', '--formats', 'int8', '--lanes', '1', '--no-cache'], undefined, { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apt-get install -y yosys/);
  });
});

describe.runIf(runLive)('rf8 estimate on the installed tools', () => {
  it('one small configuration: table, JSON, plots, markdown; the second run comes from the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8est-cli-'));
    const args = ['estimate', '--formats', 'int8,gg-multi', '--lanes', '1', '--seeds', '1', '--no-datapath', '--cache-dir', join(dir, 'cache'), '--bandwidth', '2'];
    const r = await rf8Async([...args, '--json', '--plot', join(dir, 'plots'), '--markdown', join(dir, 'est.md')], undefined, { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const c = j.configs.find((x: { format: string }) => x.format === 'int8');
    expect(c.status).toBe('ok');
    expect(c.info.W).toBe(28);
    expect(c.resources.luts).toBeGreaterThan(100);
    expect(c.fmaxMHz).toBeGreaterThan(1);
    expect(c.macPerSecond).toBeCloseTo(c.fmaxMHz * 1e6, 0);
    // the worst path starts and ends inside the engine, not in the 4-pin harness
    expect(c.critical.from).toMatch(/^u_dut\b/);
    expect(c.critical.to).toMatch(/^u_dut\b/);
    expect(c.macPerSecondPer1kLuts).toBeCloseTo(c.macPerSecond / (c.resources.luts / 1000), 0);
    expect(j.configs.find((x: { format: string }) => x.format === 'gg-multi').status).toBe('ok');
    expect(j.toolRuns).toBe(6); // synthesis, place and route, timing per configuration
    // models: MNIST MLP inferences/s and char-LM tokens/s at 2 bytes/cycle
    expect(j.models.map((m: { unit: string }) => m.unit)).toEqual(['inference', 'token']);
    const mlp = j.models[0].rows[0].perBandwidth[0];
    expect(mlp.bandwidth).toBe(2);
    expect(mlp.raw.perSecond).toBeCloseTo((c.fmaxMHz * 1e6) / mlp.raw.cycles, 6);
    for (const f of ['luts-vs-lanes-hx8k.svg', 'sqnr-vs-luts-per-mac-hx8k.svg']) {
      expect(readFileSync(join(dir, 'plots', f), 'utf8')).toMatch(/^<svg/);
    }
    const md = readFileSync(join(dir, 'est.md'), 'utf8');
    expect(md).toContain('| int8 | 1 | 28 |');
    expect(md).toContain('<!-- rf8 estimate: begin hx8k -->');
    expect(md).toContain(`RTL fingerprint \`${j.rtlFingerprint}\``);
    // the same configuration again without the cache: the tools run again and give the same numbers
    const again = await rf8Async([...args.filter((a, i) => a !== '--cache-dir' && args[i - 1] !== '--cache-dir'), '--no-cache', '--json'], undefined, { timeoutMs: 600_000 });
    expect(again.code, again.stderr).toBe(0);
    const j2 = JSON.parse(again.stdout);
    expect(j2.toolRuns).toBe(6);
    for (const f of ['int8', 'gg-multi']) {
      const a = j.configs.find((x: { format: string }) => x.format === f);
      const b = j2.configs.find((x: { format: string }) => x.format === f);
      expect([b.resources, b.fmaxMHz, b.placedCells, b.critical], f).toEqual([a.resources, a.fmaxMHz, a.placedCells, a.critical]);
    }
    expect(j2.rtlFingerprint).toBe(j.rtlFingerprint);
    // third run, with the deprecated name of the multi-mode unit: mapped to gg-multi with a note,
    // everything cached (the label is not part of the cache key), same numbers, text table on stdout
    const t = rf8(args.map((a) => (a === 'int8,gg-multi' ? 'int8,rf8-multi' : a)));
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/--formats 'rf8-multi' is deprecated, use 'gg-multi'/);
    expect(t.stdout).toMatch(/^gg-multi\s+1\s+53\s+/m);
    expect(t.stdout).not.toContain('rf8-multi');
    expect(t.stdout).toMatch(/0 tool runs/);
    expect(t.stdout).toContain(c.fmaxMHz.toFixed(1));
    expect(t.stdout).toMatch(/int8\s+1\s+28\s+/);
    expect(existsSync(join(dir, 'cache'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
    // two cold flows of two engines: about 40 s on an idle 2-core machine, minutes on a loaded one
    // (each tool call already allows 600 s)
  }, 900_000);
});
