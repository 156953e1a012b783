#!/usr/bin/env node
// Write n seeded GG(alpha, beta) samples from rf8kit's own sampler as raw little-endian float64.
// Usage: node scripts/gg-samples.mjs SEED ALPHA BETA N OUT.f64   (needs `npx tsc -p .` first)
import { writeFileSync } from 'node:fs';
import { Rng } from '../dist/util/rng.js';
import { sampleGG } from '../dist/gg/index.js';

const [seed, alpha, beta, n, out] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: node scripts/gg-samples.mjs SEED ALPHA BETA N OUT.f64\n');
  process.exit(2);
}
const x = sampleGG(new Rng(Number(seed)), Number(alpha), Number(beta), Number(n));
writeFileSync(out, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
