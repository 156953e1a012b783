/**
 * Issue 16, big checkpoints on every core: `rf8 fit` and `rf8 quantize` with worker threads give
 * the same output as `--jobs 1` (the same per-tensor function runs in the main thread or in a
 * worker; results are taken in file order), and the binned KS statistic (no per-tensor sort)
 * stays within its documented bound of the exact one.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { sampleGG } from '../../src/gg/sample.js';
import { ggKsBinned } from '../../src/gg/ks-binned.js';
import { ggCdf } from '../../src/gg/dist.js';
import { Rng } from '../../src/util/rng.js';
import { rf8Async } from '../helpers/cli.js';

/** The exact KS distance, written here from the definition: sort, compare the ECDF steps with F. */
function exactKs(x: Float64Array, alpha: number, beta: number): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = ggCdf(s[i]!, alpha, beta);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

describe('binned KS', () => {
  it('within the certified half-width of the exact distance, and the width is <= 1/(2B) + quantile slack', () => {
    const rng = new Rng(11);
    for (const [beta, alphaFit, betaFit, n] of [
      [1, 1, 1, 200_000],
      [0.6, 1.1, 0.65, 150_000],
      [2, 0.9, 1.7, 100_000],
    ] as const) {
      const x = sampleGG(rng, 1, beta, n);
      const exact = exactKs(x, alphaFit, betaFit);
      const b = ggKsBinned(x, alphaFit, betaFit, { bins: 1024 });
      expect(b.lo).toBeLessThanOrEqual(exact + 1e-12);
      expect(b.hi).toBeGreaterThanOrEqual(exact - 1e-12);
      expect(Math.abs(b.ks - exact)).toBeLessThanOrEqual(b.error + 1e-12);
      expect(b.error).toBeLessThanOrEqual(1 / (2 * 1024) + 1e-6);
    }
  });
  it('small tensors are exact', () => {
    const x = sampleGG(new Rng(3), 1, 1, 1000);
    const b = ggKsBinned(x, 1, 1);
    expect(b.error).toBe(0);
    expect(b.ks).toBeCloseTo(exactKs(x, 1, 1), 12);
  });
});

describe('--jobs', () => {
  let dir = '';
  let file = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rf8-jobs-'));
    file = join(dir, 'w.safetensors');
    const rng = new Rng(5);
    const t = (name: string, shape: number[], beta: number) => ({ name, dtype: 'F32' as const, shape, data: Float32Array.from(sampleGG(rng, 0.02, beta, shape.reduce((a, b) => a * b, 1))) });
    writeSafetensors(file, [t('a.weight', [256, 300], 1.2), t('b.weight', [64, 64], 0.7), t('c.bias', [64], 2), t('d.weight', [128, 700], 1.6), t('e.weight', [32, 32], 1)]);
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const strip = (j: any) => {
    for (const t of j.tensors as { mle?: { ms?: number } }[]) if (t.mle) delete t.mle.ms; // wall time of the fit, not a result
    return j;
  };
  it('rf8 fit: --jobs 3 reports the same as --jobs 1', async () => {
    const [one, three] = await Promise.all([rf8Async(['fit', file, '--json', '--jobs', '1']), rf8Async(['fit', file, '--json', '--jobs', '3'])]);
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    const a = strip(JSON.parse(one.stdout));
    const b = strip(JSON.parse(three.stdout));
    expect(b).toEqual(a);
    expect(a.tensors.map((t: { name: string }) => t.name)).toEqual(['a.weight', 'b.weight', 'c.bias', 'd.weight', 'e.weight']);
    const big = a.tensors.find((t: { name: string }) => t.name === 'd.weight');
    expect(big.ksError).toBeGreaterThan(0); // 89600 values: binned
    expect(big.ksError).toBeLessThan(2e-4);
  });
  it('rf8 quantize: --jobs 2 writes the same bytes and report as --jobs 1', async () => {
    const o1 = join(dir, 'q1.safetensors');
    const o2 = join(dir, 'q2.safetensors');
    const [one, two] = await Promise.all([
      rf8Async(['quantize', file, '--out', o1, '--json', '--jobs', '1', '--per-row']),
      rf8Async(['quantize', file, '--out', o2, '--json', '--jobs', '2', '--per-row']),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout);
    const b = JSON.parse(two.stdout);
    expect(b.tensors).toEqual(a.tensors);
    expect({ ...b.summary, output: '' }).toEqual({ ...a.summary, output: '' });
    expect(Buffer.compare(readFileSync(o1), readFileSync(o2))).toBe(0);
  });
  it('an error in a worker is the same InputError, exit 2', async () => {
    const r = await rf8Async(['fit', file, '--jobs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs: not an integer in \[1, 256\]: 0/);
  });
});
