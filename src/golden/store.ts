import { withLockSync } from '../util/lock.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, createReadStream } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AtomicFileWriter, writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { cacheRoot, packageRoot } from '../sim/paths.js';
import { SPEC_VERSION } from '../format/index.js';
import { generateSuite, listSuites, GENERATOR, type SuiteDef } from './suites.js';

export interface SuiteDigest {
  sha256: string;
  lines: number;
  bytes: number;
}

export interface ManifestEntry extends SuiteDigest {
  name: string;
  kind: string;
  committed: boolean;
  /** Path relative to the package root (committed suites), else null (generated on demand). */
  file: string | null;
  description: string;
  seed: number;
  command: string;
}

export interface Manifest {
  spec: string;
  generator: string;
  note: string;
  suites: ManifestEntry[];
}

export function goldenDir(): string {
  return join(packageRoot(), 'golden');
}
export function manifestPath(): string {
  return join(goldenDir(), 'manifest.json');
}

/** Where a suite lives: golden/<name>.txt when committed, else <cache>/golden/<name>.txt. */
export function suitePath(d: SuiteDef): string {
  if (d.path) return d.path;
  return d.committed ? join(goldenDir(), `${d.name}.txt`) : join(cacheRoot(), 'golden', `${d.name}.txt`);
}

/** Generate a suite into memory-free hashing only. */
export function hashSuite(d: SuiteDef): SuiteDigest {
  const h = createHash('sha256');
  let bytes = 0;
  const lines = generateSuite(d, (c) => {
    const b = Buffer.from(c, 'utf8');
    bytes += b.length;
    h.update(b);
  });
  return { sha256: h.digest('hex'), lines, bytes };
}

/** Generate a suite into a file (atomically) and return its digest. */
export function writeSuite(d: SuiteDef, path: string): SuiteDigest {
  const w = new AtomicFileWriter(path);
  const h = createHash('sha256');
  let bytes = 0;
  let lines: number;
  try {
    lines = generateSuite(d, (c) => {
      const b = Buffer.from(c, 'utf8');
      h.update(b);
      bytes += b.length;
      w.write(b);
    });
  } catch (e) {
    w.abort();
    throw e;
  }
  w.commit();
  return { sha256: h.digest('hex'), lines, bytes };
}

export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((res, rej) => {
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => res())
      .on('error', rej);
  });
  return h.digest('hex');
}

export function hashFileSync(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function readManifest(): Manifest | null {
  const p = manifestPath();
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch (e) {
    throw new InputError(`bad JSON: ${(e as Error).message}`, p);
  }
}

export function commandFor(d: SuiteDef): string {
  return d.committed ? `rf8 golden --suite ${d.name} --out golden/` : `rf8 golden --suite ${d.name} --out DIR  (on demand; cached under .cache/rf8/golden/)`;
}

export function manifestEntry(d: SuiteDef, dg: SuiteDigest): ManifestEntry {
  return {
    name: d.name,
    kind: d.kind,
    committed: d.committed,
    file: d.committed ? relative(packageRoot(), suitePath(d)) : null,
    description: d.description,
    seed: d.seed,
    command: commandFor(d),
    ...dg,
  };
}

export function writeManifest(entries: ManifestEntry[]): void {
  const m: Manifest = {
    spec: SPEC_VERSION,
    generator: GENERATOR,
    note: 'Every suite is regenerated deterministically by `rf8 golden`; `rf8 golden --check` regenerates the committed ones (and with --all every one) and compares SHA-256. Suites with file = null are generated on demand into .cache/rf8/golden/.',
    suites: entries,
  };
  writeFileAtomic(manifestPath(), JSON.stringify(m, null, 2) + '\n');
}

/**
 * The path of a suite's vectors, generating an on-demand suite into the cache when missing or
 * stale (its SHA-256 no longer matches the manifest, or no manifest entry and no digest file).
 */
export function ensureSuite(d: SuiteDef, log?: (m: string) => void): string {
  const p = suitePath(d);
  if (d.path) {
    if (!existsSync(p)) throw new InputError(`suite file missing: ${p}`);
    return p;
  }
  if (d.committed) {
    if (!existsSync(p)) throw new InputError(`committed suite missing: ${p} (regenerate with: rf8 golden --update)`);
    return p;
  }
  const entry = readManifest()?.suites.find((s) => s.name === d.name);
  const sidecar = `${p}.sha256`;
  if (existsSync(p) && existsSync(sidecar)) {
    const want = entry?.sha256 ?? readFileSync(sidecar, 'utf8').trim();
    const have = readFileSync(sidecar, 'utf8').trim();
    // the sidecar is written together with the file; re-hash only when it disagrees with the manifest
    if (have === want && statSync(p).size > 0) return p;
  }
  // one generator per suite at a time (test files run in parallel processes)
  return withLockSync(`${p}.lock`, () => {
    if (existsSync(p) && existsSync(sidecar) && readFileSync(sidecar, 'utf8').trim() === (entry?.sha256 ?? readFileSync(sidecar, 'utf8').trim())) return p;
    log?.(`generating suite ${d.name} (${d.count || 'all'} vectors) into ${dirname(p)}`);
    const dg = writeSuite(d, p);
    if (entry && entry.sha256 !== dg.sha256) throw new Error(`suite ${d.name}: regenerated SHA-256 ${dg.sha256} differs from the manifest's ${entry.sha256}`);
    writeFileAtomic(sidecar, dg.sha256 + '\n');
    return p;
  });
}

export { listSuites };
