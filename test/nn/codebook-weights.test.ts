/**
 * GG codebook weights at inference (docs/training.md "RF8 inference"): through the bit-exact
 * layer reference (src/nn/rf8.ts, the weight format a parameter: a named codebook or `auto`
 * among the codebooks) and weight-only (src/nn/rf8-weight-only.ts, the format a parameter).
 * The MLP forward is checked against an independent model written here from the spec text: the
 * codebook values k 2^(sh + tmin + X) of the committed table, exact sums (doubles: every sum is
 * below 2^53 units), the hidden output as the nearest-even rf8-e3m4 code of ReLU(sum), the last
 * layer as the binary32 of the sum. The CLI runs on a small untrained checkpoint (the point is
 * the format reaching the layers, not accuracy; the accuracy on a trained MLP is in the doc).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8Async, type CliResult } from '../helpers/cli.js';
import { CODEBOOK_NAMES, CODEBOOK_TABLES, decodeValue, encode, getFormat } from '../../src/format/index.js';
import { buildRf8Mlp, mlpLayerSpecs, rf8MlpForward, encodeInput, quantizeWeightsRf8 } from '../../src/nn/rf8.js';
import { rf8WeightOnly } from '../../src/nn/rf8-weight-only.js';
import { initValues, mlpSpecs, saveCheckpoint } from '../../src/nn/index.js';
import { Rng } from '../../src/util/rng.js';

/** The value of a codebook code at scale X from the committed table (spec 9.1: 0x00 zero, 0x80 | p the negative of p). */
function cbValue(name: string, code: number, X: number): number {
  const t = CODEBOOK_TABLES.find((e) => e.name === name)!;
  const p = code & 0x7f;
  if (p === 0) return 0;
  const v = t.k[p - 1]! * 2 ** (t.sh[p - 1]! + t.tmin + X);
  return code & 0x80 ? -v : v;
}

const sizes = [784, 24, 10];
const specs = mlpSpecs(sizes);
function model(seed: number): Map<string, Float32Array> {
  const v = initValues(specs, { dist: 'gg', beta0: 1 }, new Rng(seed));
  // zero biases: the independent model then needs no bias rounding into the accumulator
  for (const [k, a] of v) if (k.endsWith('.bias')) a.fill(0);
  return v;
}
function images(n: number, seed: number): { x: Float32Array; n: number } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.int(4) === 0 ? rng.float() : 0;
  return { x, n };
}

describe('codebook weights through the bit-exact layer reference (src/nn/rf8.ts)', () => {
  const values = model(3);
  const calib = images(20, 4);

  it('cb-b1-p0 weights x rf8-e3m4 activations: the layer outputs are the independent model\'s, code for code and bit for bit', () => {
    const pack = buildRf8Mlp(sizes, specs, values, calib, { wFormat: 'cb-b1-p0', aFormat: 'rf8-e3m4' });
    for (const w of Object.values(pack.weights)) {
      expect(w.format).toBe('cb-b1-p0');
      expect(w.rounding).toBe('nearest');
    }
    const m = mlpLayerSpecs(sizes, values, pack);
    const test = images(6, 9);
    for (let i = 0; i < test.n; i++) {
      const x = test.x.subarray(i * 784, (i + 1) * 784);
      const got = rf8MlpForward(m, x);
      // independent: decoded input values, exact sums, the hidden layer's nearest-even code, binary32 logits
      let h = Array.from(encodeInput(m, x), (c) => decodeValue('rf8-e3m4', c, m.inputs[0]!.scale));
      for (let l = 0; l < m.layers.length; l++) {
        const L = m.layers[l]!;
        const sums: number[] = [];
        for (let r = 0; r < L.rows; r++) {
          let s = 0;
          for (let j = 0; j < L.cols; j++) s += cbValue('cb-b1-p0', L.wCodes[r * L.cols + j]!, L.wScales[r]!) * h[j]!;
          sums.push(s);
        }
        if (l === m.layers.length - 1) expect(Array.from(got), `image ${i}`).toEqual(sums.map((s) => Math.fround(s)));
        else {
          const next = m.inputs[l + 1]!;
          const codes = sums.map((s) => encode('rf8-e3m4', Math.max(0, s), { scale: next.scale }));
          h = codes.map((c) => decodeValue('rf8-e3m4', c, next.scale));
        }
      }
    }
  });

  it('auto among the 32 codebooks: one codebook per tensor, chosen by the gg criterion, at least the SQNR of the fixed one', () => {
    const fixed = quantizeWeightsRf8(specs, values, { wFormat: 'cb-b1-p0' });
    const auto = quantizeWeightsRf8(specs, values, { wFormat: 'auto', wCandidates: CODEBOOK_NAMES });
    for (const [k, w] of Object.entries(auto)) {
      expect(CODEBOOK_NAMES, k).toContain(w.format);
      expect(getFormat(w.format).policy.decoder).toBe('table');
      expect(w.sqnrDb, k).toBeGreaterThan(fixed[k]!.sqnrDb - 0.5);
    }
  });
});

describe('weight-only in a codebook (src/nn/rf8-weight-only.ts, the format a parameter)', () => {
  const values = model(5);
  it('every parameter decodes to the nearest codebook value at its amax scale (brute force over the 255 values), ties to the smaller', () => {
    const r = rf8WeightOnly(specs, values, 'format', 'cb-b1-p0');
    expect(r.tensors.map((t) => t.name)).toEqual(specs.map((s) => s.name));
    for (const t of r.tensors) {
      const v = values.get(t.name)!;
      const d = r.values.get(t.name)!;
      const vals: number[] = [];
      for (let c = 0; c < 256; c++) if (c !== 0x80) vals.push(cbValue('cb-b1-p0', c, t.scale));
      for (let i = 0; i < v.length; i += Math.max(1, Math.floor(v.length / 300))) {
        let best = vals[0]!;
        for (const q of vals) {
          const e = Math.abs(q - v[i]!);
          const eb = Math.abs(best - v[i]!);
          if (e < eb || (e === eb && Math.abs(q) < Math.abs(best))) best = q;
        }
        expect(d[i], `${t.name}[${i}] = ${v[i]}`).toBe(Math.fround(best));
      }
    }
    // rf8 stays the default (greedy), and the value-domain rule is rf8's only
    const a = rf8WeightOnly(specs, values, 'format');
    expect(a.tensors[0]!.sqnrDb).toBeLessThan(r.tensors[0]!.sqnrDb);
    expect(() => rf8WeightOnly(specs, values, 'values', 'cb-b1-p0')).toThrow(/authors' rf8 only/);
  });
});

/** The built CLI, asynchronously (test/helpers/cli.ts), with room for the layer reference. */
const rf8 = (args: string[]): Promise<CliResult> => rf8Async(args, undefined, { timeoutMs: 240000 });

describe('rf8 eval with codebook weights (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rf8-eval-cb-'));
  const ck = join(dir, 'ck');
  const s2 = [784, 32, 10];
  saveCheckpoint(ck, {
    sidecar: { kind: 'rf8kit-run', version: 1, model: { kind: 'mlp', config: { sizes: s2, shift: 0, splitSeed: 1, nVal: 500, nTest: 300 } }, data: {}, params: { total: 0, rate: 0 }, metrics: {} },
    values: initValues(mlpSpecs(s2), { dist: 'gg', beta0: 1 }, new Rng(5)),
  });
  it('--rf8 --w-format auto --w-modes codebooks, and --rf8-weight-only --weight-only-format cb-b1-p0', { timeout: 240_000 }, async () => {
    const a = await rf8(['eval', ck, '--rf8', '--limit', '30', '--calib', '30', '--w-format', 'auto', '--w-modes', 'codebooks', '--a-format', 'rf8-e3m4', '--rf8-weight-only', '--weight-only-format', 'cb-b1-p0', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const j = JSON.parse(a.stdout);
    for (const f of Object.values(j.rf8.formats) as string[]) expect(CODEBOOK_NAMES).toContain(f);
    expect(j.rf8.counters).toMatchObject({ ovf: 0, nan: 0 });
    expect(j.rf8WeightOnly.format).toBe('cb-b1-p0');
    expect(j.rf8WeightOnly.rounding).toBe('nearest');
    expect(j.rf8WeightOnly.tensors).toHaveLength(4);
    const b = await rf8(['eval', ck, '--weight-only-format', 'cb-b1-p0']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/add --rf8-weight-only/);
  });
});
