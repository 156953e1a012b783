import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8Async } from '../helpers/cli.js';

const rf8 = rf8Async;

describe('rf8 train / eval / deepshape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rf8-nn-cli-'));
  const ck = join(dir, 'mlp');

  it('train writes a checkpoint and one JSON document', async () => {
    const r = await rf8(['train', '--model', 'mlp', '--steps', '40', '--seed', '3', '--lambda', '0.1', '--init', 'gg', '--beta0', '1.2', '--calib', '50', '--out', ck, '--json', '--plot'], undefined, { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.config).toMatchObject({ model: 'mlp', init: 'gg', beta0: 1.2, lambda: 0.1, steps: 40, seed: 3 });
    expect(j.params.total).toBe(235146);
    expect(j.final.test.acc).toBeGreaterThan(0.5);
    for (const f of ['model.safetensors', 'run.json', 'loss.svg', 'hist-fc1.weight.svg']) expect(existsSync(join(ck, f))).toBe(true);
    const side = JSON.parse(readFileSync(join(ck, 'run.json'), 'utf8'));
    expect(side.metrics.loss).toHaveLength(40);
    expect(side.seed).toBe(3);
    expect(readFileSync(join(ck, 'loss.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('eval --rf8 --compress reports float, RF8 and bits/param', async () => {
    const r = await rf8(['eval', ck, '--rf8', '--limit', '200', '--compress', '--json'], undefined, { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.float.n).toBe(200);
    expect(j.rf8.n).toBe(200);
    expect(j.rf8.counters.ovf).toBe(0);
    expect(Math.abs(j.rf8.delta)).toBeLessThan(3);
    expect(j.compress.chosen.bitsPerParam).toBeGreaterThan(0);
    expect(j.compress.chosen.val).toBeGreaterThanOrEqual(j.compress.target);
    const txt = await rf8(['eval', ck, '--limit', '100']);
    expect(txt.stdout).toMatch(/float {2}test: \d+\.\d\d%/);
  });

  it('deepshape writes a reshaped checkpoint that eval reads', async () => {
    const out = join(dir, 'ds');
    const r = await rf8(['deepshape', ck, '--beta-target', '0.8', '--gamma', '1', '--finetune-steps', '10', '--calib', '50', '--out', out, '--json'], undefined, { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.report).toHaveLength(3);
    for (const t of j.report) expect(t.after.beta).toBeLessThan(1.2);
    expect(j.finetuneSteps).toBe(10);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).deepshape.betaTarget).toBe(0.8);
    expect((await rf8(['eval', out, '--limit', '50', '--json'])).code).toBe(0);
  });

  it('bad input exits 2 with one line naming the problem', async () => {
    const a = await rf8(['eval', join(dir, 'nope')]);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/nope/);
    const b = await rf8(['train', '--model', 'mlp', '--steps', '0', '--out', join(dir, 'x')]);
    expect(b.code).toBe(2);
    const c = await rf8(['deepshape', ck, '--beta-target', '0.5', '--gamma', '2', '--out', join(dir, 'y')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/gamma/);
  });
});
