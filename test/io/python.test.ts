/**
 * Cross-checks against NumPy (python3 + numpy, Debian package python3-numpy):
 * - .npy / .npz files written by numpy (savez, savez_compressed, Fortran order, big-endian, f2)
 *   read by rf8kit give numpy's values;
 * - .npy / .npz written by rf8kit load in numpy with the same values;
 * - the Python decode snippet of docs/io.md (extracted from the doc, run as is) decodes RF8
 *   safetensors files rf8kit wrote to exactly decodeArray's float32 bits, for every format, all
 *   256 codes, per-tensor and per-row scales.
 * Without numpy the suite skips locally and FAILS under CI (process.env.CI).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { decodeArray, FORMAT_NAMES } from '../../src/format/index.js';
import { openWeights, writeNpy, writeNpz, writeRf8Safetensors, openRf8 } from '../../src/io/index.js';
import { randomF32, tempDir } from './helpers.js';

const PY = '/usr/bin/python3';
const hasNumpy = spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!hasNumpy && process.env.CI) {
  throw new Error('python3 + numpy are required for test/io/python.test.ts under CI: apt-get install -y python3-numpy');
}

function py(code: string, cwd: string): string {
  const r = spawnSync(PY, ['-c', code], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/** The snippet between the rf8-decode markers of docs/io.md. */
function docSnippet(): string {
  const md = readFileSync(new URL('../../docs/io.md', import.meta.url), 'utf8');
  const m = /# rf8-decode: begin\n([\s\S]*?)# rf8-decode: end/.exec(md);
  if (!m) throw new Error('docs/io.md has no rf8-decode snippet');
  return m[1]!;
}

/** Minimal numpy-only stand-in for safetensors.numpy.load_file + safe_open(...).metadata(). */
const PY_LOAD = `
import json, struct, numpy as np
DT = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "U8": "u1", "I8": "i1"}
def load_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    meta = h.pop("__metadata__", {})
    t = {k: np.frombuffer(b, dtype=DT[v["dtype"]], count=int(np.prod(v["shape"], dtype=np.int64)), offset=8 + n + v["data_offsets"][0]).reshape(v["shape"]) for k, v in h.items()}
    return t, meta
`;

describe.skipIf(!hasNumpy)('numpy cross-checks', () => {
  it('reads what numpy writes (.npy variants, savez, savez_compressed)', () => {
    const { dir, cleanup } = tempDir();
    try {
      py(`
import numpy as np
rng = np.random.default_rng(5)
a = rng.standard_normal((6, 7)).astype(np.float32)
np.save("a.npy", a)
np.save("f.npy", np.asfortranarray(rng.standard_normal((3, 4, 5))))
np.save("h.npy", a.astype(np.float16))
np.save("be.npy", a.astype(">f8"))
np.save("i.npy", np.arange(-5, 5, dtype=np.int16))
np.save("z.npy", np.float32(2.5))
np.save("s.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
np.savez("st.npz", w=a, b=np.arange(9, dtype=np.uint8).reshape(3, 3))
np.savez_compressed("c.npz", w=a, big=rng.standard_normal(300000).astype(np.float32))
for name in ["a", "f", "h", "be", "i", "z"]:
    np.load(name + ".npy").astype(np.float32).ravel().tofile(name + ".ref")
for name, arr in np.load("c.npz").items():
    arr.astype(np.float32).ravel().tofile("c." + name + ".ref")
`, dir);
      const ref = (n: string) => new Float32Array(new Uint8Array(readFileSync(join(dir, n))).buffer);
      for (const n of ['a', 'f', 'h', 'be', 'i', 'z']) {
        const s = openWeights(join(dir, `${n}.npy`));
        expect(sameBits(s.readTensor(n), ref(`${n}.ref`)), n).toBe(true);
        s.close();
      }
      expect(openWeights(join(dir, 'f.npy')).tensorInfo('f').shape).toEqual([3, 4, 5]);
      expect(openWeights(join(dir, 'z.npy')).tensorInfo('z').shape).toEqual([]);
      expect(openWeights(join(dir, 's.npy')).tensorInfo('s').supported).toBe(false);
      const st = openWeights(join(dir, 'st.npz'));
      expect(sameBits(st.readTensor('w'), ref('a.ref'))).toBe(true);
      expect(Array.from(st.readTensor('b'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      const c = openWeights(join(dir, 'c.npz'));
      expect(c.tensorInfo('big').byteSize).toBeLessThan(1_300_000);
      expect(sameBits(c.readTensor('big'), ref('c.big.ref'))).toBe(true);
      expect(sameBits(c.readTensor('w'), ref('c.w.ref'))).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('numpy reads what rf8kit writes (.npy, .npz)', () => {
    const { dir, cleanup } = tempDir();
    try {
      const rng = new Rng(9);
      const a = randomF32(rng, 35);
      const d = new Float64Array([1.5, -2.25, 1e-300]);
      const codes = new Uint8Array([0, 128, 255]);
      writeNpy(join(dir, 'a.npy'), a, [5, 7]);
      writeNpy(join(dir, 'd.npy'), d);
      writeNpz(join(dir, 'z.npz'), [{ name: 'w', data: a, shape: [7, 5] }, { name: 'codes', data: codes }, { name: 's', data: new Int8Array([-128, 5]) }]);
      writeFileSync(join(dir, 'a.raw'), Buffer.from(a.buffer));
      const out = py(`
import numpy as np
a = np.load("a.npy"); d = np.load("d.npy"); z = np.load("z.npz")
raw = np.fromfile("a.raw", dtype="<f4")
assert a.dtype == np.float32 and a.shape == (5, 7) and a.tobytes() == raw.tobytes()
assert d.dtype == np.float64 and d.tolist() == [1.5, -2.25, 1e-300]
assert sorted(z.files) == ["codes", "s", "w"], z.files
assert z["w"].shape == (7, 5) and z["w"].tobytes() == raw.tobytes()
assert z["codes"].dtype == np.uint8 and z["codes"].tolist() == [0, 128, 255]
assert z["s"].dtype == np.int8 and z["s"].tolist() == [-128, 5]
print("ok")
`, dir);
      expect(out.trim()).toBe('ok');
    } finally {
      cleanup();
    }
  });

  it('the docs/io.md Python snippet decodes RF8 files to decodeArray bit for bit', () => {
    const { dir, cleanup } = tempDir();
    try {
      const rng = new Rng(13);
      const all = new Uint8Array(256).map((_, i) => i);
      const tensors = [];
      const expected = new Map<string, Float32Array>();
      for (const f of FORMAT_NAMES) {
        for (const X of [-128, -20, 0, 3, 127]) {
          const name = `all.${f}.${X}`;
          tensors.push({ name, shape: [16, 16], granularity: 'tensor' as const, format: f, codes: all, scales: new Int8Array([X]) });
          expected.set(name, decodeArray(f, all, X));
        }
        // per-row scales on a 3-d tensor, random codes
        const codes = new Uint8Array(8 * 4 * 5).map(() => rng.int(256));
        const scales = new Int8Array(8).map(() => rng.int(40) - 20);
        const name = `rows.${f}`;
        tensors.push({ name, shape: [8, 4, 5], granularity: 'row' as const, format: f, codes, scales });
        const exp = new Float32Array(codes.length);
        for (let r = 0; r < 8; r++) decodeArray(f, codes.subarray(r * 20, r * 20 + 20), scales[r]!, exp.subarray(r * 20, r * 20 + 20));
        expected.set(name, exp);
      }
      const bias = new Float32Array([0.5, -1, 3]);
      const p = join(dir, 'm.rf8.safetensors');
      writeRf8Safetensors(p, tensors, [{ name: 'bias', shape: [3], data: bias }]);
      const out = py(`${PY_LOAD}\n${docSnippet()}\n
tensors, meta = load_safetensors("m.rf8.safetensors")
dec = rf8_decode(tensors, meta)
assert not any(k.endswith(".rf8_scale") for k in dec), "scale tensors must not be returned"
for k, v in dec.items():
    assert v.dtype == np.float32, (k, v.dtype)
    np.ascontiguousarray(v).tofile(k + ".dec")
print(len(dec))
`, dir);
      expect(Number(out.trim())).toBe(tensors.length + 1);
      const rf = openRf8(p);
      for (const [name, exp] of expected) {
        const got = new Float32Array(new Uint8Array(readFileSync(join(dir, `${name}.dec`))).buffer);
        expect(sameBits(got, exp), name).toBe(true);
        expect(sameBits(rf.decode(name), exp), name).toBe(true);
      }
      expect(sameBits(new Float32Array(new Uint8Array(readFileSync(join(dir, 'bias.dec'))).buffer), bias)).toBe(true);
      rf.close();
    } finally {
      cleanup();
    }
  });
});
