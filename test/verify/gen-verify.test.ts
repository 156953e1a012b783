import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_FORMAT_NAMES, getFormat } from '../../src/format/index.js';
import { accToBinary32Bits, accToFormat } from '../../src/arith/index.js';
import { customSuite, generateSuite, lineShape, listSuites, parseLine, suitePath } from '../../src/golden/index.js';
import { makeF32Converter, makeFormatConverter, planFor } from '../../src/verify-hw/fastcvt.js';
import { memLayout, packWord, fullCheck } from '../../src/verify-hw/mem.js';
import { mergeReports, resultOf, verifyFile } from '../../src/verify-hw/verify.js';
import { Rng } from '../../src/util/rng.js';
import { ROOT, rf8Async } from '../helpers/cli.js';
import { INPUT_ROLES, OUTPUT_ROLES, REQUIRED_INPUTS, validateMap } from '../../src/verify-hw/portmap.js';

const tmp = mkdtempSync(join(tmpdir(), 'rf8-verify-'));
const text = (d: ReturnType<typeof customSuite>, shard?: { index: number; count: number }): string => {
  let s = '';
  generateSuite(d, (c) => (s += c), { shard });
  return s;
};
const body = (t: string): string => t.split('\n').filter((l) => l && !l.startsWith('#')).join('\n');

describe('table-driven conversions (fastcvt) are the reference bit for bit', () => {
  it('every family format and binary32: random accumulators at every scale, ReLU, NaN', () => {
    const rng = new Rng(7);
    const f32 = makeF32Converter();
    for (const name of SAMPLE_FORMAT_NAMES) {
      const f = getFormat(name);
      // a plan is RNE binade rounding: every layout with RNE has one, the residual rf8 (greedy / nearest) and the codebooks (nearest) none
      if (f.policy.roundings.includes('rne')) expect(planFor(f), name).not.toBeNull();
      else expect(planFor(f), name).toBeNull();
      const cvs = f.policy.roundings.filter((r) => r !== 'sr').map((r) => ({ r, cv: makeFormatConverter(f, r) }));
      expect(() => makeFormatConverter(f, 'sr')).toThrow(/rounding 'sr' is not available/);
      for (let i = 0; i < 20000; i++) {
        const bits = 1 + rng.int(52);
        let a = Math.floor(rng.float() * 2 ** bits);
        if (i % 7 === 0) a = 2 ** rng.int(52) * (1 + 2 * rng.int(4)); // ties
        if (rng.int(2)) a = -a;
        const T = rng.int(300) - 150;
        const xo = rng.int(256) - 128;
        const relu = rng.int(3) === 0;
        const nan = rng.int(50) === 0;
        for (const { r, cv } of cvs) if (cv(a, nan, T, xo, relu) !== accToFormat(BigInt(a), nan, T, f, xo, relu, r)) expect(cv(a, nan, T, xo, relu), `${name} ${r} ${a} ${T} ${xo}`).toBe(accToFormat(BigInt(a), nan, T, f, xo, relu, r));
        if (name === 'rf8-e3m4') expect(f32(a, nan, T)).toBe(accToBinary32Bits(BigInt(a), nan, T) >>> 0);
      }
    }
  });
});

describe('rf8 gen', () => {
  const d = customSuite({ a: 'rf8-e2m5', b: 'int8', lanes: 3, outs: ['ocp-e4m3', 'rf8-e4m3'], W: 30, levels: ['edge', 'random'], count: 3000, seed: 5 });
  it('writes the suite header and a body whose 4 shards concatenate to the whole, byte for byte', () => {
    const whole = text(d);
    expect(whole).toMatch(/^# rf8kit golden vectors/);
    expect(whole).toContain('# N: 3');
    expect(whole).toContain('# W: 30');
    const parts = [0, 1, 2, 3].map((i) => text(d, { index: i, count: 4 }));
    for (const p of parts) expect(p.split('\n').filter((l) => l.startsWith('#')).join('\n')).toBe(whole.split('\n').filter((l) => l.startsWith('#')).join('\n'));
    expect(parts.map(body).filter((b) => b).join('\n')).toBe(body(whole));
    // every shard starts with a clear
    for (const p of parts) {
      const first = body(p).split('\n')[0];
      if (first) expect(parseInt(first.split(' ')[0]!, 16) & 1).toBe(1);
    }
  });
  it('same seed, same bytes; another seed, other bytes', () => {
    expect(text(d)).toBe(text(customSuite({ a: 'rf8-e2m5', b: 'int8', lanes: 3, outs: ['ocp-e4m3', 'rf8-e4m3'], W: 30, levels: ['edge', 'random'], count: 3000, seed: 5 })));
    expect(text(customSuite({ a: 'rf8-e2m5', b: 'int8', lanes: 3, outs: ['ocp-e4m3', 'rf8-e4m3'], W: 30, levels: ['random'], count: 3000, seed: 6 }))).not.toBe(text(customSuite({ a: 'rf8-e2m5', b: 'int8', lanes: 3, outs: ['ocp-e4m3', 'rf8-e4m3'], W: 30, levels: ['random'], count: 3000, seed: 5 })));
  });
  it('$readmemh words hold exactly the text fields, with the check mask on last beats only', () => {
    const shape = lineShape(d);
    const L = memLayout(shape);
    for (const l of body(text(d)).split('\n').slice(0, 500)) {
      const { beat, out } = parseLine(shape, l);
      const w = BigInt('0x' + packWord(L, shape, beat, out, fullCheck(shape)));
      const f = (n: string): bigint => (w >> BigInt(L.byName[n]!.lo)) & ((1n << BigInt(L.byName[n]!.w)) - 1n);
      const t = l.split(' ');
      expect(f('ctl')).toBe(BigInt('0x' + t[0]));
      expect(f('init')).toBe(BigInt('0x' + t[4]));
      expect(f('a')).toBe(BigInt('0x' + t[6]));
      expect(f('acc')).toBe(BigInt('0x' + t[8]));
      expect(f('codes')).toBe(BigInt('0x' + t[11]));
      expect(f('chk')).toBe(beat.last ? BigInt(fullCheck(shape)) : 0n);
    }
  });
  it('the CLI: --jobs 2 equals --jobs 1, --format mem, bad flags exit 2', { timeout: 300_000 }, async () => {
    const args = ['gen', '-a', 'rf8-e3m4', '--lanes', '2', '--count', '2000', '--seed', '3'];
    const a = await rf8Async([...args, '--out', join(tmp, 'j1.txt')]);
    expect(a.code, a.stderr).toBe(0);
    const b = await rf8Async([...args, '--jobs', '2', '--out', join(tmp, 'j2.txt')]);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'j2.txt'), 'utf8')).toBe(readFileSync(join(tmp, 'j1.txt'), 'utf8'));
    const m = await rf8Async([...args, '--format', 'mem', '--level', 'random']);
    expect(m.stdout).toMatch(/\$readmemh image: \d+ bits per word/);
    const bad = await rf8Async(['gen', '--lanes', '40']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('rf8 verify', () => {
  const d = customSuite({ a: 'rf8-e3m4', b: 'rf8-e4m3', lanes: 2, outs: ['rf8-e3m4', 'int8'], levels: ['edge', 'random'], count: 20000, seed: 11 });
  const file = join(tmp, 'ok.txt');
  writeFileSync(file, text(d));
  it('a correct results file passes; every field is compared', async () => {
    const r = await verifyFile(file);
    expect(r.pass).toBe(true);
    expect(r.outputs).toBeGreaterThan(10000);
    expect(r.checked).toBe(r.outputs * (1 + 2 + 1 + 2));
  });
  it('a wrong field in any position is counted and decoded (codes and values, accumulator value)', async () => {
    const lines = text(d).split('\n');
    const idx: number[] = [];
    lines.forEach((l, i) => {
      if (l && !l.startsWith('#') && parseInt(l.split(' ')[0]!, 16) & 2) idx.push(i);
    });
    const flip = (i: number, field: number, f: (s: string) => string): void => {
      const t = lines[idx[i]!]!.split(' ');
      t[field] = f(t[field]!);
      lines[idx[i]!] = t.join(' ');
    };
    const x1 = (s: string): string => s.slice(0, -1) + (parseInt(s.slice(-1), 16) ^ 1).toString(16);
    flip(100, 8, x1); // acc
    flip(200, 9, (s) => (parseInt(s, 16) ^ 2).toString(16)); // ovf
    flip(300, 10, x1); // f32
    flip(400, 11, (s) => s.slice(0, 2) + ((parseInt(s.slice(2), 16) ^ 1) & 0xff).toString(16).padStart(2, '0')); // int8 code (output 1 is first)
    const bad = join(tmp, 'bad.txt');
    writeFileSync(bad, lines.join('\n'));
    const r = await verifyFile(bad);
    expect(r.pass).toBe(false);
    expect(r.mismatches.acc).toBe(1);
    expect(r.mismatches.ovf).toBe(1);
    expect(r.mismatches.f32).toBe(1);
    expect(r.mismatches.codes['rf8-e3m4']).toBe(1);
    expect(r.mismatches.codes.int8).toBe(0);
    expect(r.badLines).toBe(4);
    expect(r.first[0]!.line).toBe(idx[100]! + 1);
    expect(r.first[0]!.fields).toEqual(['acc']);
    expect(String(r.first[0]!.expected.acc)).toMatch(/value .* = acc \* 2\^/);
    expect(r.first[3]!.fields).toEqual(['rf8-e3m4']);
    expect(String(r.first[3]!.actual['rf8-e3m4'])).toMatch(/^0x[0-9a-f]{2} \(/);
    // shards: the merged report of 4 shards equals the unsharded one
    const parts = await Promise.all([0, 1, 2, 3].map((i) => verifyFile(bad, { shard: { index: i, count: 4 } })));
    expect(resultOf(mergeReports(parts))).toEqual(resultOf(r));
    const cli = await rf8Async(['verify', bad]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/first mismatch in .*line \d+: acc/);
    // --json on a failed check: exit 1 and one JSON document (the report), not a second error object
    const cj = await rf8Async(['verify', bad, '--json']);
    expect(cj.code).toBe(1);
    const doc = JSON.parse(cj.stdout);
    expect(doc.pass).toBe(false);
  });
  it('the minimal format: inputs only on beats without last, "-" for outputs the design lacks', async () => {
    const lines = text(d)
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const t = l.split(' ');
        return parseInt(t[0]!, 16) & 2 ? [...t.slice(0, 10), '-', '--' + t[11]!.slice(2)].join(' ') : t.slice(0, 8).join(' ');
      });
    const f = join(tmp, 'min.txt');
    writeFileSync(f, lines.join('\n') + '\n');
    const r = await verifyFile(f, { over: { a: 'rf8-e3m4', b: 'rf8-e4m3', lanes: 2, outs: ['rf8-e3m4', 'int8'] } });
    expect(r.pass).toBe(true);
    expect(r.checked).toBe(r.outputs * (1 + 2 + 1));
    // without the flags the defaults do not fit: a clear one-line error, exit 2
    const c = await rf8Async(['verify', f]);
    expect(c.code).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('multi-mode suites (modes in ctl bits 3-6) and wide accumulators (W > 53: the BigInt path) verify', async () => {
    for (const o of [
      { modes: ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'], lanes: 2, outs: ['rf8-e3m4'] },
      { a: 'rf8-e3m4', W: 60, lanes: 3, outs: ['rf8-e3m4', 'int8'] },
    ]) {
      const dm = customSuite({ ...o, levels: ['edge', 'random'], count: 4000, seed: 4 });
      const f = join(tmp, `${dm.name}.txt`);
      writeFileSync(f, text(dm));
      const r = await verifyFile(f);
      expect(r.pass, dm.name).toBe(true);
      expect(r.config).toBe(dm.name.replace(/^gen-/, '').replace(/-edge\+random-c4000$/, ''));
      // a flipped accumulator bit is caught on both paths
      const lines = readFileSync(f, 'utf8').split('\n');
      const i = lines.findIndex((l, j) => j > 3000 && l && !l.startsWith('#') && parseInt(l.split(' ')[0]!, 16) & 2);
      const t = lines[i]!.split(' ');
      t[8] = t[8]!.slice(0, -1) + (parseInt(t[8]!.slice(-1), 16) ^ 4).toString(16);
      lines[i] = t.join(' ');
      writeFileSync(f, lines.join('\n'));
      const bad = await verifyFile(f);
      expect(bad.mismatches.acc, dm.name).toBe(1);
      expect(bad.first[0]!.line).toBe(i + 1);
    }
  });
  it('every committed DUT suite verifies, the rf8 ones (greedy and nearest outputs) on the fast path; a wrong rf8:nearest code counts under its label', async () => {
    const dut = listSuites().filter((x) => x.committed && x.dot);
    expect(dut.map((x) => x.name)).toEqual(expect.arrayContaining(['cvt-e3m4-rf8', 'mac-e3m4-rf8-n8', 'mac-rf8-rf8-n1']));
    for (const x of dut) {
      const r = await verifyFile(suitePath(x));
      expect(r.pass, x.name).toBe(true);
      expect(r.path, x.name).toBe('fast');
    }
    const src = suitePath(dut.find((x) => x.name === 'cvt-e3m4-rf8')!);
    const lines = readFileSync(src, 'latin1').split('\n');
    const i = lines.findIndex((l) => l && !l.startsWith('#') && parseInt(l.split(' ')[0]!, 16) & 2 && l.split(' ')[11] !== '000000');
    const t = lines[i]!.split(' ');
    // out: rf8-e3m4 rf8:nearest rf8 (output K-1 first): flip a bit of the middle code
    t[11] = t[11]!.slice(0, 2) + ((parseInt(t[11]!.slice(2, 4), 16) ^ 1) & 0xff).toString(16).padStart(2, '0') + t[11]!.slice(4);
    lines[i] = t.join(' ');
    const bad = join(tmp, 'rf8-nearest-bad.txt');
    writeFileSync(bad, lines.join('\n'));
    const r = await verifyFile(bad);
    expect(r.mismatches.codes).toEqual({ rf8: 0, 'rf8:nearest': 1, 'rf8-e3m4': 0 });
    expect(r.first[0]!.line).toBe(i + 1);
    expect(r.first[0]!.fields).toEqual(['rf8:nearest']);
  });
  it('a malformed line: one error naming the file, the line and the field', async () => {
    const head = text(d).split('\n').filter((l) => l.startsWith('#')).join('\n');
    const good = '3 00 00 00 000000000 3 0000 0000 000000000 0 00000000 0000';
    for (const [line, msg] of [
      ['3 00 00 00 000000000 3 0000', /line 2: too few fields/],
      ['3 00 0x 00 000000000 3 0000 0000', /line 2: not hex: 'x'/],
      ['3 00 -- 00 000000000 3 0000 0000', /line 2: xb: not hex/],
      ['3 00 00 00 000000000 7 0000 0000', /line 2: mask: more than 2 lanes/],
      ['3 00 00 00 000000000 3 000 0000', /line 2: a: expected 4 hex digits/],
      ['3 00 00 00 000000000 3 0000 0000 000000000 01 00000000 0000', /line 2: flags: expected one hex digit/],
      ['3 00 00 00 000000000 3 0000 0000 00-000000 0 00000000 0000', /line 2: acc: not hex/],
      ['3 00 00 00 000000000 3 0000 0000 000000000 0 00000000 000', /line 2: out: expected 4 hex digits/],
      [good + ' 00', /line 2: trailing characters/],
    ] as const) {
      const f = join(tmp, 'malformed.txt');
      writeFileSync(f, `${head}\n${good}\n${line}\n`);
      const lines = head.split('\n').length;
      await expect(verifyFile(f), line).rejects.toThrow(new RegExp(`malformed\\.txt.*${msg.source.replace('line 2', `line ${lines + 2}`)}`));
    }
  });
  it('rf8 gen keeps an output rounding (rf8:nearest) in the suite header', () => {
    const g = customSuite({ a: 'rf8', b: 'rf8-e3m4', outs: ['rf8:nearest', 'rf8'], count: 10, levels: ['random'], seed: 1 });
    expect(g.dot!.outs).toEqual(['rf8:nearest', 'rf8']);
    expect(text(g)).toMatch(/^# outs: rf8:nearest rf8$/m);
  });
  it('rf8 gen | rf8 verify - (stdin) and --jobs 2 agree', async () => {
    const g = await rf8Async(['gen', '-a', 'ocp-e5m2', '--outs', 'ocp-e4m3', '--lanes', '4', '--count', '5000']);
    const v = await rf8Async(['verify', '-', '--json'], g.stdout);
    expect(v.code, v.stderr).toBe(0);
    const j1 = JSON.parse(v.stdout);
    expect(j1.pass).toBe(true);
    const r2 = await verifyFile(file, { jobs: 2 });
    expect(resultOf(r2)).toEqual(resultOf(await verifyFile(file)));
  });
});

describe('the port map JSON Schema and the validator agree', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'rf8-portmap.schema.json'), 'utf8'));
  it('same roles, same required roles; the example map validates', () => {
    expect(Object.keys(schema.properties.inputs.properties).sort()).toEqual([...INPUT_ROLES].sort());
    expect([...schema.properties.inputs.required].sort()).toEqual([...REQUIRED_INPUTS].sort());
    expect(Object.keys(schema.properties.outputs.properties).sort()).toEqual([...OUTPUT_ROLES].sort());
    const m = JSON.parse(readFileSync(join(ROOT, 'examples', 'handmac', 'handmac.ports.json'), 'utf8'));
    expect(validateMap(m, 'x.json').top).toBe('handmac');
    expect(() => validateMap({ ...m, handshake: { ...m.handshake, kind: 'valid' } }, 'x.json')).toThrow(/x\.json: handshake\.in_ready: a valid-only handshake has no ready/);
    expect(() => validateMap({ ...m, inputs: { ...m.inputs, bogus: 'p' } }, 'x.json')).toThrow(/inputs\.bogus: unknown role/);
  });
});
