import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8Async } from '../helpers/cli.js';
import { toolVersion } from '../../src/sim/tools.js';

// The main job in CI: `rf8 demo --quick` end to end. Verilator is required under CI (never
// skipped there); locally without it the test is skipped with a reason.
const haveVerilator = toolVersion('verilator') !== null;
if (process.env.CI && !haveVerilator) throw new Error('CI: verilator is not installed (apt-get install verilator); the demo test must not be skipped');
const d = haveVerilator ? describe : describe.skip;

d('rf8 demo --quick', { timeout: 900_000 }, () => {
  it('runs every stage; every output of every layer matches on the RTL; RTL accuracy = reference accuracy', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rf8-demo-'));
    const r = await rf8Async(['demo', '--quick', '--out', out, '--json'], undefined, { timeoutMs: 900_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const j = JSON.parse(r.stdout);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep).toEqual(j);
    for (const s of rep.stages) expect(s.status === 'ok' || (s.name === 'estimate' && s.status === 'skipped'), `${s.name}: ${s.status} ${s.detail ?? ''}`).toBe(true);
    expect(rep.hardware.images).toBe(100);
    expect(rep.hardware.vectors).toBe(100 * (256 + 128 + 10));
    expect(rep.hardware.mismatches).toBe(0);
    expect(rep.hardware.predictionsEqual).toBe(true);
    expect(rep.hardware.rtlAccuracy).toBe(rep.hardware.refAccuracy);
    // the pipeline's invariants, not absolute accuracy
    expect(rep.float.testAcc).toBeGreaterThan(0.8);
    expect(Math.abs(rep.rf8.testAcc - rep.float.afterDeepShapeTestAcc)).toBeLessThan(0.02);
    expect(rep.compression.bitsPerParam).toBeLessThan(8);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/co-simulation mismatches \| 0 \|/);
    // the authors' RF8 beside rf8kit's best float mode: rf8 weights x rf8-e3m4 through the layer
    // reference and the RTL (0 mismatches), and weights only with float activations
    const a = rep.authorsRf8;
    expect(a.layerRef.layers.map((l: { format: string }) => l.format)).toEqual(['rf8', 'rf8', 'rf8']);
    expect(a.layerRef.activations).toBe('rf8-e3m4');
    expect(a.layerRef.hardware).toMatchObject({ images: 100, vectors: 100 * (256 + 128 + 10), mismatches: 0, predictionsEqual: true });
    expect([a.layerRef.ovf, a.layerRef.nan]).toEqual([0, 0]);
    expect(a.best.testAcc).toBe(rep.rf8.testAcc);
    expect(a.best.hardware.mismatches).toBe(0);
    expect(a.layerRef.testAcc).toBeGreaterThan(0.8);
    expect(a.weightOnly.testAcc).toBeGreaterThan(0.8);
    for (const [i, l] of a.layerRef.layers.entries()) expect(l.sqnrDb).toBeLessThan(a.best.layers[i].sqnrDb);
    expect(md).toContain("## The authors' RF8 beside rf8kit's best float mode");
    expect(md).toMatch(/\| the authors' RF8 weights x rf8-e3m4 activations \(bit-exact layer reference\) \| rf8 \(greedy\) \| rf8-e3m4 \| [\d.]+% \(1500 images\) \| 8 \([\d.]+\) \| 0 of 39400 \(100 images\) \|/);
    expect(md).toMatch(/\| the authors' RF8, weights only \(float activations\) \|/);
    for (const p of rep.plots) expect(existsSync(join(out, p)), p).toBe(true);
    expect(r.stderr).toMatch(/stage train done/);
  });

  it('an injected RTL fault fails the co-simulation stage with the layer, neuron and image of the first difference', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rf8-demo-fault-'));
    const r = await rf8Async(['demo', '--quick', '--steps', '60', '--finetune-steps', '0', '--images', '12', '--inject', 'lane-dropped', '--out', out], undefined, { timeoutMs: 900_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/^rf8: co-simulation: \d+ of \d+ outputs differ; first: layer 1, neuron \d+, image \d+: /);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.hardware.mismatches).toBeGreaterThan(0);
    expect(rep.hardware.firstMismatch.layer).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/first mismatch/);
  });
});
