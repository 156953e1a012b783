/**
 * `rf8 eval --rf8 --w-format rf8 --a-format ...`: the authors' RF8 weights through the bit-exact
 * layer reference from the CLI, on a small untrained MLP checkpoint written here (no training:
 * the point is the formats reaching the layers, not accuracy); bad format options exit 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8Async, type CliResult } from '../helpers/cli.js';
import { initValues, mlpSpecs, saveCheckpoint } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';

/** The built CLI, asynchronously (test/helpers/cli.ts), with room for the layer reference. */
const rf8 = (args: string[]): Promise<CliResult> => rf8Async(args, undefined, { timeoutMs: 240000 });

describe('rf8 eval with the authors\' RF8 weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rf8-eval-rf8-'));
  const ck = join(dir, 'ck');
  const sizes = [784, 32, 10];
  const values = initValues(mlpSpecs(sizes), { dist: 'gg', beta0: 1 }, new Rng(5));
  saveCheckpoint(ck, {
    sidecar: { kind: 'rf8kit-run', version: 1, model: { kind: 'mlp', config: { sizes, shift: 0, splitSeed: 1, nVal: 500, nTest: 300 } }, data: {}, params: { total: 0, rate: 0 }, metrics: {} },
    values,
  });

  it('--w-format rf8 --a-format rf8-e3m4 (and rf8 nearest x int8): the formats reach every layer; no clamp, no NaN', async () => {
    const a = await rf8(['eval', ck, '--rf8', '--limit', '40', '--calib', '30', '--w-format', 'rf8', '--a-format', 'rf8-e3m4', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const j = JSON.parse(a.stdout);
    expect(Object.values(j.rf8.formats)).toEqual(['rf8', 'rf8']);
    expect(Object.values(j.rf8.weights).map((w) => (w as { rounding: string }).rounding)).toEqual(['greedy', 'greedy']);
    expect(Object.values(j.rf8.acts).map((q) => (q as { format: string }).format)).toEqual(['rf8-e3m4', 'rf8-e3m4']);
    expect(j.rf8.counters).toMatchObject({ ovf: 0, nan: 0, calls: 80 });
    expect(j.rf8.options).toEqual({ wFormat: 'rf8', aFormat: 'rf8-e3m4' });
    const b = await rf8(['eval', ck, '--rf8', '--limit', '20', '--calib', '30', '--w-format', 'rf8', '--w-rounding', 'nearest', '--a-format', 'int8']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/weights rf8 x activations int8/);
  });

  it('bad format options: one line, exit 2', async () => {
    for (const [args, re] of [
      [['--rf8', '--w-format', 'rf9'], /--w-format: (format: )?unknown format 'rf9'/],
      [['--rf8', '--w-format', 'rf8-e3m4', '--w-rounding', 'greedy'], /--w-rounding greedy is not available for the weight format rf8-e3m4/],
      [['--w-format', 'rf8'], /add --rf8/],
      [['--rf8', '--a-format', 'rf8', '--a-modes', 'gg-modes'], /--a-modes lists the candidates of --a-format auto/],
    ] as const) {
      const r = await rf8(['eval', ck, '--limit', '5', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });
});
