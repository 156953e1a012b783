import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getSuite, hashFileSync, hashSuite, listSuites, manifestEntry, manifestPath, readManifest, suitePath, writeManifest, writeSuite, type ManifestEntry } from '../../golden/index.js';
import { CheckFailed, InputError } from '../../util/errors.js';
import { emit, log, table, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  list: boolean;
  suite?: string[];
  out?: string;
  check: boolean;
  all: boolean;
  update: boolean;
}

interface CheckRow {
  name: string;
  committed: boolean;
  ok: boolean;
  why: string;
  sha256: string;
  lines: number;
}

export const goldenCommand: CommandModule<object, Args> = {
  command: 'golden',
  describe: 'golden vector suites (spec section 7): list, write, regenerate-and-check against golden/manifest.json',
  builder: (y) =>
    y
      .option('list', { type: 'boolean', default: false, describe: 'list the suites' })
      .option('suite', { type: 'string', array: true, describe: 'suite name(s) (default: the committed ones; --all: every one)' })
      .option('out', { type: 'string', describe: 'write the suites into this folder (<name>.txt)' })
      .option('check', { type: 'boolean', default: false, describe: 'regenerate and compare SHA-256 with the manifest (and the committed files)' })
      .option('all', { type: 'boolean', default: false, describe: 'include the on-demand suites (large: exhaustive products, 1e6-beat MAC runs)' })
      .option('update', { type: 'boolean', default: false, describe: 'rewrite the committed suites under golden/ and golden/manifest.json (after a deliberate spec change)' }) as never,
  handler: async (args) => {
    const pick = (): ReturnType<typeof listSuites> => {
      if (args.suite?.length) return args.suite.map((n) => getSuite(n));
      return listSuites().filter((d) => args.all || d.committed);
    };
    if (args.list) {
      const m = readManifest();
      const rows = listSuites().map((d) => {
        const e = m?.suites.find((s) => s.name === d.name);
        return { name: d.name, kind: d.kind, committed: d.committed, lines: e?.lines ?? null, bytes: e?.bytes ?? null, description: d.description };
      });
      emit(args, { suites: rows }, () => table(['suite', 'kind', 'where', 'lines', 'about'], rows.map((r) => [r.name, r.kind, r.committed ? 'golden/' : 'on demand', r.lines ?? '?', r.description.slice(0, 70)])));
      return;
    }
    if (args.update) {
      const entries: ManifestEntry[] = [];
      for (const d of listSuites()) {
        const t0 = Date.now();
        const dg = d.committed ? writeSuite(d, suitePath(d)) : hashSuite(d);
        log(`${d.name}: ${dg.lines} vectors, ${dg.bytes} bytes, ${((Date.now() - t0) / 1000).toFixed(1)} s${d.committed ? ' (written)' : ''}`);
        entries.push(manifestEntry(d, dg));
      }
      writeManifest(entries);
      const bytes = entries.filter((e) => e.committed).reduce((s, e) => s + e.bytes, 0);
      emit(args, { manifest: manifestPath(), suites: entries.length, committedBytes: bytes }, () => `wrote ${manifestPath()}: ${entries.length} suites, ${entries.filter((e) => e.committed).length} committed (${(bytes / 1e6).toFixed(2)} MB)`);
      return;
    }
    if (args.check) {
      const m = readManifest();
      if (!m) throw new InputError(`no manifest: ${manifestPath()}`);
      const rows: CheckRow[] = [];
      for (const d of pick()) {
        const e = m.suites.find((s) => s.name === d.name);
        const dg = hashSuite(d);
        let ok = true;
        let why = 'identical';
        if (!e) {
          ok = false;
          why = 'not in the manifest';
        } else if (e.sha256 !== dg.sha256) {
          ok = false;
          why = `regenerated SHA-256 ${dg.sha256.slice(0, 12)} != manifest ${e.sha256.slice(0, 12)}`;
        } else if (d.committed) {
          const p = suitePath(d);
          if (!existsSync(p)) {
            ok = false;
            why = `file missing: ${p}`;
          } else if (hashFileSync(p) !== dg.sha256) {
            ok = false;
            why = `file ${p} differs from the regenerated suite`;
          }
        }
        rows.push({ name: d.name, committed: d.committed, ok, why, sha256: dg.sha256, lines: dg.lines });
        log(`${ok ? 'ok  ' : 'FAIL'} ${d.name} (${dg.lines} vectors) ${ok ? '' : why}`);
      }
      const failed = rows.filter((r) => !r.ok);
      emit(args, { checked: rows.length, failed: failed.length, suites: rows }, () => `${rows.length - failed.length}/${rows.length} suites regenerate identically`);
      if (failed.length) throw new CheckFailed(`${failed.length} suite(s) do not regenerate identically: ${failed.map((r) => r.name).join(', ')}`);
      return;
    }
    if (args.out) {
      const out: { name: string; path: string; lines: number; sha256: string }[] = [];
      for (const d of pick()) {
        const p = join(args.out, `${d.name}.txt`);
        const dg = writeSuite(d, p);
        out.push({ name: d.name, path: p, lines: dg.lines, sha256: dg.sha256 });
        log(`wrote ${p} (${dg.lines} vectors)`);
      }
      emit(args, { written: out }, () => out.map((o) => `${o.path}  ${o.lines} vectors  sha256 ${o.sha256}`).join('\n'));
      return;
    }
    throw new InputError('rf8 golden: give --list, --out DIR, --check or --update');
  },
};
