import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8 } from '../helpers/cli.js';
import { CODEBOOK_TABLES } from '../../src/format/index.js';
import { sampleGG } from '../../src/gg/sample.js';
import { Rng } from '../../src/util/rng.js';

// The CLI of docs/rf8-spec.md section 9: rf8 codebook, rf8 table / encode with a codebook, quantize --modes codebooks.

describe('rf8 codebook / table / encode with a GG codebook', () => {
  it('rf8 codebook --beta 2 --json gives the committed cb-b2-p0; --out writes the data file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-cb-'));
    const out = join(dir, 'one.ts');
    const r = rf8(['codebook', '--beta', '2', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout).entries[0];
    const c = CODEBOOK_TABLES.find((t) => t.name === 'cb-b2-p0')!;
    expect(e.k).toEqual([...c.k]);
    expect(e.sh).toEqual([...c.sh]);
    expect(e.tmin).toBe(c.tmin);
    expect(readFileSync(out, 'utf8')).toContain("name: 'cb-b2-p0'");
  });

  it('bad arguments: exit 2 with one line, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-cb-'));
    const out = join(dir, 'x.ts');
    for (const a of [['codebook'], ['codebook', '--beta', '1', '--K', '3', '--out', out], ['codebook', '--beta', '1', '--phase', '4']]) {
      const r = rf8(a);
      expect(r.code, a.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('rf8 table --format cb-b1-p0 lists the table; rf8 encode rejects rne for a codebook', () => {
    const r = rf8(['table', '--format', 'cb-b1-p0', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const c = CODEBOOK_TABLES.find((t) => t.name === 'cb-b1-p0')!;
    expect(j.decoder).toBe('table');
    expect(j.codes[0x80].kind).toBe('nan');
    expect(j.codes[1].k).toBe(c.k[0]);
    expect(j.codes[0x7f].t).toBe(c.sh[126]! + c.tmin);
    const e = rf8(['encode', '--format', 'cb-b1-p0', '--rounding', 'rne', '1']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/rne.*cb-b1-p0|cb-b1-p0.*rne/);
  });

  it('rf8 quantize --format auto --modes gg-modes,codebooks picks a codebook; the default auto does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-cb-'));
    const f = join(dir, 'w.f32');
    writeFileSync(f, Buffer.from(Float32Array.from(sampleGG(new Rng(5), 1, 1, 20000)).buffer));
    const q = (extra: string[]): { format: string } => {
      const r = rf8(['quantize', f, '--format', 'auto', ...extra, '--out', join(dir, `q${extra.length}.safetensors`), '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).tensors[0];
    };
    expect(q(['--modes', 'gg-modes,codebooks']).format).toMatch(/^cb-b/);
    expect(q([]).format).toMatch(/^rf8-e/);
  });
});
