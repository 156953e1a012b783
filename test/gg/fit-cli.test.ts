/** rf8 fit on degenerate and sparse tensors: clear results, never NaN printed as a number. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8 } from '../helpers/cli.js';
import { sampleGG } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'rf8-fit-sparse-'));
const f32 = (name: string, a: Float32Array) => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.from(a.buffer));
  return p;
};

describe('rf8 fit: spike and slab, degenerate tensors', () => {
  it('all zeros, one nonzero value, a 2-level grid: a reason, "-" cells, null in JSON', () => {
    const one = new Float32Array(500);
    one[7] = 0.25;
    const cases: [string, Float32Array, RegExp][] = [
      ['zeros.f32', new Float32Array(500), /every value is zero/],
      ['one.f32', one, /one nonzero value/],
      ['grid2.f32', Float32Array.from({ length: 500 }, (_, i) => (i % 2 ? 0.5 : -0.5)), /2-level grid/],
    ];
    for (const [name, data, reason] of cases) {
      const t = rf8(['fit', f32(name, data)]);
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).not.toMatch(/NaN|Infinity/);
      expect(t.stdout).toMatch(reason);
      const j = JSON.parse(rf8(['fit', f32(name, data), '--json']).stdout).tensors[0];
      expect(j.sparse.slab).toBeNull();
      expect(j.sparse.reason).toMatch(reason);
    }
  });

  it('GG(1.5) + 47% zeros: zeros and slab beta columns, paper nu column', () => {
    const rng = new Rng(3);
    const body = sampleGG(rng, 0.05, 1.5, 50_000);
    const x = Float32Array.from(body, (v) => (rng.float() < 0.47 ? 0 : v));
    const j = JSON.parse(rf8(['fit', f32('sparse.f32', x), '--json', '--no-bound']).stdout).tensors[0];
    expect(j.sparse.zeroFrac).toBeGreaterThan(0.45);
    expect(Math.abs(j.sparse.slab.beta / 1.5 - 1)).toBeLessThan(0.03);
    expect(j.mle.beta).toBeLessThan(0.5); // the plain fit sees the spike
    expect(Number.isInteger(Math.round(j.momentRatio.nu * 100))).toBe(true);
    const t = rf8(['fit', f32('sparse.f32', x), '--no-bound']).stdout;
    expect(t).toMatch(/nu\(paper\)/);
    expect(t).toMatch(/slab beta/);
  });
});
