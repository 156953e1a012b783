/**
 * Fuzzing every reader with fast-check: for each one, at least 10,000 cases (mutated valid files,
 * random structured headers, and a truncation at every byte offset of every seed file, which
 * covers every section boundary). Every case must end in a result or an InputError, within
 * CASE_TIME_BOUND_MS, and never in another exception. Files live in memory (memoryFs) so the
 * suite is cheap; the node file path is the same code below the RandomAccessFile interface.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { FORMAT_NAMES } from '../../src/format/index.js';
import { encodeNpy, memoryFs, openRf8, openWeights, type WeightSource } from '../../src/io/index.js';
import { bytesOf, ggufBytes, npzBytes, randomF32, safetensorsBytes, tempDir, zipBytes } from './helpers.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { writeRf8Safetensors } from '../../src/io/rf8file.js';

const RUNS = 10_000;
const CASE_TIME_BOUND_MS = 1_000;
const SEED = 0x5eed_0008;

interface Stats {
  cases: number;
  ok: number;
  inputErrors: number;
  maxMs: number;
}

/** Run one case; anything but success or InputError is a failure (returned as a message). */
function runCase(stats: Stats, fn: () => void): string | undefined {
  const t0 = performance.now();
  let bad: string | undefined;
  try {
    fn();
    stats.ok++;
  } catch (e) {
    if (e instanceof InputError) {
      stats.inputErrors++;
      if (!e.message || e.message.includes('\n')) bad = `InputError without a one-line message: ${JSON.stringify(e.message)}`;
    } else bad = `${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`;
  }
  const ms = performance.now() - t0;
  stats.cases++;
  stats.maxMs = Math.max(stats.maxMs, ms);
  if (ms > CASE_TIME_BOUND_MS) bad = `case took ${ms.toFixed(0)} ms (> ${CASE_TIME_BOUND_MS})`;
  return bad;
}

/** Open, list, read every tensor (f32 and f64), close. */
function exercise(open: () => WeightSource): void {
  const s = open();
  try {
    for (const t of s.listTensors()) {
      expect(t.numel).toBeGreaterThanOrEqual(0);
      try {
        s.readTensor(t.name);
        s.readTensorF64(t.name);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
      }
    }
  } finally {
    s.close();
  }
}

// ------------------------------------------------------------------------------ mutations

const INTERESTING: bigint[] = [
  0n, 1n, 2n, 7n, 8n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 8n, 1000n, 65536n,
];

type Mutation =
  | { k: 'flip'; pos: number; bit: number }
  | { k: 'byte'; pos: number; v: number }
  | { k: 'int'; pos: number; width: 1 | 2 | 4 | 8; v: bigint; le: boolean }
  | { k: 'field'; idx: number; v: bigint }
  | { k: 'trunc'; at: number }
  | { k: 'insert'; pos: number; bytes: Uint8Array }
  | { k: 'delete'; pos: number; len: number }
  | { k: 'dup'; pos: number; len: number };

const arbInt = fc.oneof(fc.constantFrom(...INTERESTING), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ k: fc.constant('byte' as const), pos: fc.nat(), v: fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x7b, 0x22, 0x2c, 0x5d, 0x7d), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ k: fc.constant('int' as const), pos: fc.nat(), width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const), v: arbInt, le: fc.boolean() }),
  fc.record({ k: fc.constant('field' as const), idx: fc.nat(), v: arbInt }),
  fc.record({ k: fc.constant('trunc' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ k: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ k: fc.constant('dup' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
);

/** Apply mutations; `fields` are [offset, width] of known integer fields of the seed. */
function mutate(src: Uint8Array, muts: Mutation[], fields: [number, number][] = []): Uint8Array {
  let b = Uint8Array.from(src);
  for (const m of muts) {
    const L = b.length;
    switch (m.k) {
      case 'flip':
        if (L) b[m.pos % L]! ^= 1 << m.bit;
        break;
      case 'byte':
        if (L) b[m.pos % L] = m.v;
        break;
      case 'int':
      case 'field': {
        let pos: number;
        let width: number;
        let le = true;
        if (m.k === 'field') {
          if (!fields.length) break;
          [pos, width] = fields[m.idx % fields.length]!;
        } else {
          pos = L ? m.pos % L : 0;
          width = m.width;
          le = m.le;
        }
        for (let i = 0; i < width && pos + i < L; i++) {
          const byte = Number((m.v >> BigInt(8 * (le ? i : width - 1 - i))) & 0xffn);
          b[pos + i] = byte;
        }
        break;
      }
      case 'trunc':
        b = b.subarray(0, m.at % (L + 1));
        break;
      case 'insert': {
        const p = m.pos % (L + 1);
        const n = new Uint8Array(L + m.bytes.length);
        n.set(b.subarray(0, p));
        n.set(m.bytes, p);
        n.set(b.subarray(p), p + m.bytes.length);
        b = n;
        break;
      }
      case 'delete': {
        const p = L ? m.pos % L : 0;
        const n = new Uint8Array(L - Math.min(m.len, L - p));
        n.set(b.subarray(0, p));
        n.set(b.subarray(p + m.len), p);
        b = n;
        break;
      }
      case 'dup': {
        const p = L ? m.pos % L : 0;
        const piece = b.slice(p, p + m.len);
        const n = new Uint8Array(L + piece.length);
        n.set(b.subarray(0, p + piece.length));
        n.set(piece, p + piece.length);
        n.set(b.subarray(p + piece.length), p + 2 * piece.length);
        b = n;
        break;
      }
    }
  }
  return b;
}

// JSON structure mutations (safetensors / RF8 headers, tfjs model.json).
const INTERESTING_JSON: unknown[] = [
  -1, 0, 1, 0.5, -0.0, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308, '', 'F32', 'U8', 'I8', 'F16', 'BF16', 'F64', 'Q4_0', 'float16',
  'uint8', 'uint16', 'int32', 'string', 'bool', 'complex64', '../x', '/etc/passwd', 'http://x/y', '\u0000', '\ud800', null, true, [], {},
  [0], [1, 2], [0, 2 ** 53], [-1, 4], [4, 0], [2 ** 40, 2 ** 40], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], '{"format":"rf8-e3m4"}',
  '{"format":"rf8-e9m9","scale":"w.rf8_scale","granularity":"row"}', '{"format":"int8","scale":"nope","granularity":"tensor"}', 'not json',
];
const arbJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INTERESTING_JSON) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
type JsonEdit = { op: 'set' | 'delete' | 'add'; idx: number; key: string; v: unknown };
const arbJsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  op: fc.constantFrom('set' as const, 'set' as const, 'delete' as const, 'add' as const),
  idx: fc.nat(),
  key: fc.oneof(fc.constantFrom('dtype', 'shape', 'data_offsets', '__metadata__', '__proto__', 'constructor', 'quantization', 'min', 'scale', 'paths', 'weights', 'name', 'a\nb', 'rf8:w'), fc.string({ maxLength: 6 })),
  v: arbJsonValue,
});

/** Every container (object/array) in the tree, with the parent path. */
function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    for (const c of Object.values(v)) containers(c, out);
  }
  return out;
}

function editJson(root: unknown, edits: JsonEdit[]): unknown {
  const r = structuredClone(root);
  for (const e of edits) {
    const cs = containers(r);
    if (!cs.length) break;
    const c = cs[e.idx % cs.length]!;
    const keys = Object.keys(c);
    const key = e.op === 'add' || !keys.length ? e.key : keys[e.idx % keys.length]!;
    if (e.op === 'delete') {
      if (Array.isArray(c)) c.splice(Number(key) || 0, 1);
      else delete c[key];
    } else if (Array.isArray(c)) c[Number(key) % (c.length + 1) || 0] = structuredClone(e.v);
    else Object.defineProperty(c, key, { value: structuredClone(e.v), enumerable: true, writable: true, configurable: true });
  }
  return r;
}

/** Rebuild a safetensors file with a (possibly broken) header object and the original data. */
function withHeader(file: Uint8Array, header: unknown, lenDelta = 0): Uint8Array {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const data = file.subarray(8 + n);
  const h = Buffer.from(JSON.stringify(header) ?? '', 'utf8');
  const out = Buffer.alloc(8 + h.length + data.length);
  out.writeBigUInt64LE(BigInt(Math.max(0, h.length + lenDelta)), 0);
  h.copy(out, 8);
  Buffer.from(data).copy(out, 8 + h.length);
  return out;
}
function headerOf(file: Uint8Array): unknown {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return JSON.parse(Buffer.from(file.subarray(8, 8 + n)).toString('utf8'));
}

// ------------------------------------------------------------------------------ harness

interface Target {
  name: string;
  seeds: { bytes: Uint8Array; fields?: [number, number][] }[];
  /** Open the (possibly broken) bytes and exercise the reader. */
  run: (bytes: Uint8Array, variant: number) => void;
  /** Extra reader-specific arbitrary producing whole files. */
  random?: fc.Arbitrary<Uint8Array>;
  /** Structured (JSON) mutations of a seed. */
  structured?: (seed: Uint8Array, edits: JsonEdit[], lenDelta: number) => Uint8Array;
}

function fuzzTarget(t: Target): void {
  it(`${t.name}: >= ${RUNS} cases end in a result or an InputError`, () => {
    const stats: Stats = { cases: 0, ok: 0, inputErrors: 0, maxMs: 0 };
    const fail = (bad: string | undefined, what: string): void => {
      if (bad) throw new Error(`${t.name}: ${what}: ${bad}`);
    };
    // 1. truncation at every byte offset of every seed (every section boundary included)
    for (const s of t.seeds) {
      for (let at = 0; at < s.bytes.length; at++) fail(runCase(stats, () => t.run(s.bytes.subarray(0, at), at)), `truncated at ${at}`);
      fail(runCase(stats, () => t.run(s.bytes, 0)), 'the seed itself');
    }
    const seedCases = stats.cases;
    // 2. mutated seeds, random files, structured header edits
    const arbs: fc.Arbitrary<{ bytes: Uint8Array; variant: number; desc: string }>[] = [
      fc.tuple(fc.nat(), fc.array(arbMutation, { minLength: 1, maxLength: 4 }), fc.nat(7)).map(([i, muts, variant]) => {
        const s = t.seeds[i % t.seeds.length]!;
        return { bytes: mutate(s.bytes, muts, s.fields), variant, desc: `seed ${i % t.seeds.length} ${JSON.stringify(muts, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}` };
      }),
    ];
    if (t.random) arbs.push(t.random.map((bytes) => ({ bytes, variant: 0, desc: `random ${bytes.length} bytes` })));
    if (t.structured) {
      const st = t.structured;
      arbs.push(
        fc.tuple(fc.nat(), fc.array(arbJsonEdit, { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 0, 0, -1, 1, -8, 8, 1e6)).map(([i, edits, d]) => ({
          bytes: st(t.seeds[i % t.seeds.length]!.bytes, edits, d),
          variant: 0,
          desc: `structured ${JSON.stringify(edits)} len${d}`,
        })),
      );
    }
    const need = Math.max(RUNS - seedCases, Math.ceil(RUNS / 2));
    fc.assert(
      fc.property(fc.oneof(...arbs), ({ bytes, variant, desc }) => {
        fail(runCase(stats, () => t.run(bytes, variant)), desc);
      }),
      { numRuns: need, seed: SEED, endOnFailure: true },
    );
    expect(stats.cases).toBeGreaterThanOrEqual(RUNS);
    expect(stats.maxMs).toBeLessThanOrEqual(CASE_TIME_BOUND_MS);
    // both outcomes must actually occur, or the fuzzer is not reaching the reader
    expect(stats.ok).toBeGreaterThan(0);
    expect(stats.inputErrors).toBeGreaterThan(stats.cases / 10);
    console.log(`fuzz ${t.name}: ${stats.cases} cases (${seedCases} truncations), ${stats.ok} ok, ${stats.inputErrors} InputError, max ${stats.maxMs.toFixed(1)} ms`);
  });
}

// ------------------------------------------------------------------------------ seeds

const rng = new Rng(99);

const stSeeds = [
  safetensorsBytes(
    [
      { name: 'w', dtype: 'F32', shape: [3, 4], data: randomF32(rng, 12) },
      { name: 'h', dtype: 'F16', shape: [5], data: new Uint16Array([0x3c00, 0x7c00, 0xfc00, 0x7e00, 1]) },
      { name: 'b', dtype: 'BF16', shape: [2, 2], data: new Uint16Array([0x3f80, 0, 0x8000, 0x7f80]) },
      { name: 'd', dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2]) },
      { name: 'u', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 255]) },
      { name: 'i', dtype: 'I8', shape: [1, 2], data: new Int8Array([-128, 127]) },
    ],
    { format: 'pt', note: 'seed' },
  ),
  safetensorsBytes([{ name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([1]) }, { name: 'empty', dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }]),
  safetensorsBytes([]),
];

const npySeeds = [
  Buffer.concat(encodeNpy(randomF32(rng, 6), [2, 3])),
  Buffer.concat(encodeNpy(new Uint16Array([0x3c00, 0xc000, 0x7c00]), [3], '<f2')),
  Buffer.concat(encodeNpy(new Float64Array([1, 2, 3, 4]), [2, 2], '>f8')),
  Buffer.concat(encodeNpy(new Int8Array([-1, 2]), [2])),
  (() => {
    const h = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n";
    const b = Buffer.alloc(12 + h.length + 16);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(b);
    b.writeUInt32LE(h.length, 8);
    b.write(h, 12, 'latin1');
    return b;
  })(),
].map((b) => ({ bytes: new Uint8Array(b), fields: [[6, 1], [7, 1], [8, 2], [8, 4]] as [number, number][] }));

const npzSeeds = [
  { bytes: npzBytes([{ name: 'w', data: randomF32(rng, 6), shape: [2, 3] }, { name: 'b', data: new Int8Array([1, -1]) }]) },
  { bytes: zipBytes([{ name: 'w.npy', data: Buffer.concat(encodeNpy(randomF32(rng, 40), [5, 8])), deflate: true }, { name: 'x.txt', data: new Uint8Array([1, 2]) }]) },
  { bytes: zipBytes([{ name: 'z.npy', data: Buffer.concat(encodeNpy(new Float32Array(64), [64])), deflate: true }]) },
];
// zip integer fields: every 2/4-byte field of local headers, central entries and the end record
for (const s of npzSeeds) {
  const b = s.bytes;
  const f: [number, number][] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 0; p + 4 <= b.length; p++) {
    const sig = dv.getUint32(p, true);
    if (sig === 0x04034b50) for (const [o, w] of [[4, 2], [6, 2], [8, 2], [14, 4], [18, 4], [22, 4], [26, 2], [28, 2]] as const) f.push([p + o, w]);
    if (sig === 0x02014b50) for (const [o, w] of [[8, 2], [10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [34, 2], [42, 4]] as const) f.push([p + o, w]);
    if (sig === 0x06054b50) for (const [o, w] of [[4, 2], [6, 2], [8, 2], [10, 2], [12, 4], [16, 4], [20, 2]] as const) f.push([p + o, w]);
  }
  (s as { fields?: [number, number][] }).fields = f;
}

function ggufSeed(opts: Parameters<typeof ggufBytes>[0]): { bytes: Uint8Array; fields: [number, number][] } {
  const fields: [number, number][] = [];
  const bytes = ggufBytes(opts, fields);
  return { bytes, fields };
}
const ggufSeeds = [
  ggufSeed({
    kv: [['general.architecture', 8, 'llama'], ['a.u32', 4, 7], ['tok', 9, ['x', 'yy'], 8], ['sc', 9, [1.5, 2], 6], ['n', 9, [{ et: 0, v: [1, 2] }], 9], ['f', 12, 0.25], ['b', 7, true]],
    tensors: [
      { name: 'w', ne: [4, 2], type: 0, data: bytesOf(randomF32(rng, 8)) },
      { name: 'h', ne: [3], type: 1, data: bytesOf(new Uint16Array([0x3c00, 0x4000, 0xc000])) },
      { name: 'q', ne: [32], type: 8, data: new Uint8Array(34) },
      { name: 'b', ne: [2], type: 30, data: bytesOf(new Uint16Array([0x3f80, 0xbf80])) },
    ],
  }),
  ggufSeed({ version: 1, kv: [['k', 8, 'v']], tensors: [{ name: 'w', ne: [2], type: 0, data: bytesOf(new Float32Array([1, 2])) }] }),
  ggufSeed({ le: false, alignment: 8, tensors: [{ name: 'w', ne: [2, 1], type: 1, data: new Uint8Array([0x3c, 0, 0xc0, 0]) }] }),
];

function tfjsFiles(seed: number): Record<string, Uint8Array> {
  const r = new Rng(seed);
  const a = randomF32(r, 6);
  const blob = Buffer.concat([bytesOf(a), new Uint8Array([1, 2, 3, 250]), bytesOf(new Uint16Array([0x3c00, 0xc000])), bytesOf(new Int32Array([5]))]);
  return {
    '/m/model.json': Buffer.from(JSON.stringify({
      format: 'layers-model',
      weightsManifest: [{
        paths: ['s1.bin', 's2.bin'],
        weights: [
          { name: 'k', shape: [2, 3], dtype: 'float32' },
          { name: 'q', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.01 } },
          { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
          { name: 'i', shape: [1], dtype: 'int32' },
        ],
      }],
    })),
    '/m/s1.bin': blob.subarray(0, 13),
    '/m/s2.bin': blob.subarray(13),
  };
}

const rf8Seed = (() => {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, 'r.safetensors');
    writeRf8Safetensors(
      p,
      [
        { name: 'w', shape: [2, 3], granularity: 'row', format: 'rf8-e3m4', codes: new Uint8Array([1, 2, 3, 0x80, 5, 6]), scales: new Int8Array([-3, 2]) },
        { name: 'v', shape: [4], granularity: 'tensor', format: FORMAT_NAMES[4]!, codes: new Uint8Array([9, 8, 7, 6]), scales: new Int8Array([1]) },
      ],
      [{ name: 'bias', shape: [2], data: new Float32Array([0.5, 1]) }],
    );
    return new Uint8Array(readFileSync(p));
  } finally {
    cleanup();
  }
})();

// ------------------------------------------------------------------------------ targets

const open1 = (path: string, bytes: Uint8Array, opts: Record<string, unknown> = {}) => () => openWeights(path, { fs: memoryFs({ [path]: bytes }), ...opts });

const arbShape = fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e20, 0.5)), { maxLength: 4 });

describe('fuzz: every reader returns or throws InputError', () => {
  fuzzTarget({
    name: 'safetensors',
    seeds: stSeeds.map((bytes) => ({ bytes, fields: [[0, 8]] })),
    run: (b) => exercise(open1('/f.safetensors', b)),
    structured: (seed, edits, d) => withHeader(seed, editJson(headerOf(seed), edits), d),
    random: fc.oneof(
      fc.uint8Array({ maxLength: 96 }),
      // random header objects of random tensors over random data
      fc.tuple(
        fc.dictionary(fc.string({ maxLength: 4 }), fc.record({ dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'U8', 'I8', 'I64', 'X'), shape: arbShape, data_offsets: fc.array(fc.integer({ min: -4, max: 80 }), { maxLength: 3 }) }), { maxKeys: 4 }),
        fc.integer({ min: 0, max: 80 }),
      ).map(([h, n]) => new Uint8Array(Buffer.concat([withHeader(stSeeds[2]!, h, 0), Buffer.alloc(n)]))),
    ),
  });

  fuzzTarget({
    name: 'npy',
    seeds: npySeeds,
    run: (b) => exercise(open1('/f.npy', b)),
    random: fc.tuple(
      fc.record({
        descr: fc.oneof(fc.constantFrom("'<f4'", "'>f2'", "'|u1'", "'<f8'", "'|f4'", "'<V2'", "[('a', '<f4')]", "'<c8'", "''", '3'), fc.string({ maxLength: 6 }).map((s) => `'${s}'`)),
        fortran: fc.constantFrom('True', 'False', '0', 'None'),
        shape: fc.oneof(arbShape.map((s) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`), fc.constantFrom('()', '(3)', '[2, 2]', '(', '(1,,)', '((2,),)')),
        extra: fc.constantFrom('', ", 'x': 1", ' }', '\\', "'"),
      }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: -3, max: 3 }),
    ).map(([f, major, dataLen, lenDelta]) => {
      const h = `{'descr': ${f.descr}, 'fortran_order': ${f.fortran}, 'shape': ${f.shape}${f.extra}}\n`;
      const pre = major === 1 ? 10 : 12;
      const b = Buffer.alloc(pre + h.length + dataLen);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(b);
      if (major === 1) b.writeUInt16LE(Math.max(0, h.length + lenDelta) & 0xffff, 8);
      else b.writeUInt32LE(Math.max(0, h.length + lenDelta), 8);
      b.write(h, pre, major === 3 ? 'utf8' : 'latin1');
      return new Uint8Array(b);
    }),
  });

  fuzzTarget({
    name: 'npz',
    seeds: npzSeeds,
    run: (b) => exercise(open1('/f.npz', b)),
    random: fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('PK\x03\x04'), b])),
      fc.array(fc.record({ name: fc.oneof(fc.constantFrom('a.npy', 'b.npy', 'dir/', 'x'), fc.string({ maxLength: 5 }).map((s) => s + '.npy')), data: fc.uint8Array({ maxLength: 40 }), deflate: fc.boolean() }), { maxLength: 3 })
        .map((ms) => zipBytes(ms)),
    ),
  });

  fuzzTarget({
    name: 'gguf',
    seeds: ggufSeeds,
    run: (b) => exercise(open1('/f.gguf', b)),
    random: fc.tuple(
      fc.constantFrom(1, 2, 3, 0, 4, 0x03000000),
      fc.array(fc.record({ key: fc.string({ maxLength: 6 }), type: fc.integer({ min: 0, max: 14 }), v: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), et: fc.integer({ min: 0, max: 13 }), n: fc.oneof(fc.nat(4), fc.constantFrom(2 ** 32, 2 ** 40)) }), { maxLength: 3 }),
      fc.array(fc.record({ name: fc.oneof(fc.string({ maxLength: 3 }), fc.constant('a\nb')), ne: fc.array(fc.oneof(fc.nat(40), fc.constantFrom(2 ** 32, 2 ** 53)), { maxLength: 5 }), type: fc.oneof(fc.constantFrom(0, 1, 2, 8, 12, 30), fc.nat(50)), off: fc.oneof(fc.constantFrom(0, 32, 64), fc.nat(200)) }), { maxLength: 3 }),
      fc.integer({ min: 0, max: 200 }),
    ).map(([version, kvs, ts, tail]) => {
      // a lax writer: every field is whatever the arbitrary chose
      const parts: Buffer[] = [Buffer.from('GGUF')];
      const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); parts.push(b); };
      const u64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(Math.min(Math.max(0, Math.floor(v)), 2 ** 64 - 1))); parts.push(b); };
      const size = (v: number) => (version === 1 ? u32(v) : u64(v));
      const str = (s: string) => { const b = Buffer.from(s); size(b.length); parts.push(b); };
      u32(version);
      size(ts.length);
      size(kvs.length);
      for (const k of kvs) {
        str(k.key);
        u32(k.type);
        if (k.type === 8) str(String(k.v));
        else if (k.type === 9) { u32(k.et); size(k.n); for (let i = 0; i < Math.min(k.n, 4); i++) u32(Number(k.v) || 0); }
        else { const b = Buffer.alloc(8); b.writeInt32LE(Number(k.v) | 0); parts.push(b.subarray(0, [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8][k.type] ?? 4)); }
      }
      for (const t of ts) {
        str(t.name);
        u32(t.ne.length);
        for (const d of t.ne) size(d);
        u32(t.type);
        u64(t.off);
      }
      parts.push(Buffer.alloc(tail, 0x3f));
      return new Uint8Array(Buffer.concat(parts));
    }),
  });

  // tfjs: variant picks what gets mutated: model.json bytes, a shard, or the manifest structure
  const tf0 = tfjsFiles(1);
  fuzzTarget({
    name: 'tfjs',
    seeds: [{ bytes: tf0['/m/model.json']! }, { bytes: tf0['/m/s1.bin']! }, { bytes: tf0['/m/s2.bin']! }],
    run: (b, variant) => {
      const files = { ...tf0 };
      // which file the bytes replace: model.json if they parse as JSON-ish, else a shard
      if (b.length && b[0] === 0x7b) files['/m/model.json'] = b;
      else files[variant % 2 ? '/m/s1.bin' : '/m/s2.bin'] = b;
      exercise(() => openWeights('/m', { fs: memoryFs(files) }));
    },
    structured: (_seed, edits) => Buffer.from(JSON.stringify(editJson(JSON.parse(Buffer.from(tf0['/m/model.json']!).toString()), edits)) ?? '{'),
    random: fc.record({
      paths: fc.array(fc.oneof(fc.constantFrom('s1.bin', 's2.bin', './s1.bin', '../s1.bin', '/m/s1.bin', 'C:\\x', 'file:///etc/passwd', 'a/../../b', '', 's1.bin/..'), fc.string({ maxLength: 4 })), { maxLength: 3 }),
      weights: fc.array(fc.record({
        name: fc.oneof(fc.constantFrom('k', 'q', 'h'), fc.string({ maxLength: 3 })),
        shape: arbShape,
        dtype: fc.constantFrom('float32', 'int32', 'bool', 'string', 'complex64', 'float64', 'x'),
        quantization: fc.option(fc.record({ dtype: fc.constantFrom('uint8', 'uint16', 'float16', 'int4'), min: fc.oneof(fc.double(), fc.constant('a')), scale: fc.double() }), { nil: undefined }),
      }), { maxLength: 4 }),
    }).map((g) => Buffer.from(JSON.stringify({ weightsManifest: [g] }))),
  });

  fuzzTarget({
    name: 'rf8 safetensors (openRf8)',
    seeds: [{ bytes: rf8Seed, fields: [[0, 8]] }],
    run: (b) => {
      const f = openRf8('/r.safetensors', memoryFs({ '/r.safetensors': b }));
      try {
        for (const t of f.rf8) f.decode(t.name);
        for (const t of f.floats) {
          try {
            f.readFloat(t.name);
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
          }
        }
      } finally {
        f.close();
      }
    },
    structured: (seed, edits, d) => {
      const h = headerOf(seed) as Record<string, unknown>;
      // edit inside the rf8: JSON strings too, half of the time
      const meta = h.__metadata__ as Record<string, string>;
      const parsed = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, k.startsWith('rf8:') ? JSON.parse(v) : v]));
      const edited = editJson({ ...h, __metadata__: parsed }, edits) as Record<string, unknown>;
      const m = edited.__metadata__;
      if (m && typeof m === 'object' && !Array.isArray(m)) {
        for (const [k, v] of Object.entries(m)) if (typeof v !== 'string') (m as Record<string, unknown>)[k] = JSON.stringify(v) ?? 'x';
      }
      return withHeader(seed, edited, d);
    },
  });

  fuzzTarget({
    name: 'raw .f32',
    seeds: [{ bytes: bytesOf(new Float32Array([1, 2, 3, 4, 5, 6])) }],
    run: (b, variant) => exercise(open1('/f.f32', b, variant % 3 === 1 ? { shape: [2, 3] } : variant % 3 === 2 ? { shape: [-1, 2 ** 60] } : {})),
  });
});
