// bench/package.mjs: what a core-only consumer pays for rf8kit. Packs the repository, installs
// the tarball into a temporary project offline (test/lib/consumer.mjs: rf8kit's runtime
// dependencies only, no optional peer), then measures the installed size (apparent bytes and
// 4 KiB-block disk use), and the import time and RSS of `rf8kit/format` (median of 7 fresh
// processes; in-process time of the dynamic import, RSS after it, and a bare node's RSS for
// reference). Targets (issue 16): < 30 MB installed, < 150 ms, < 60 MB RSS.
//   node bench/package.mjs [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { setupConsumer, treeSize, measureImport } from '../test/lib/consumer.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rf8kit-bench-consumer-'));
try {
  const t0 = performance.now();
  const { packed } = await setupConsumer(dir, { devTypes: [] });
  const installS = (performance.now() - t0) / 1000;
  const nm = treeSize(join(dir, 'node_modules'));
  const own = treeSize(join(dir, 'node_modules', 'rf8kit'));
  const res = { tarballBytes: packed.size, installSeconds: installS, installed: nm, rf8kitItself: own, imports: {}, load: loadavg(), cores: cpus().length };
  for (const spec of ['rf8kit/format', 'rf8kit/props', 'rf8kit/arith', 'rf8kit/io', 'rf8kit']) res.imports[spec] = measureImport(dir, spec, 7);
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  else {
    const mb = (b) => (b / 2 ** 20).toFixed(1) + ' MB';
    console.log(`tarball ${mb(res.tarballBytes)}; offline install ${installS.toFixed(1)} s`);
    console.log(`installed node_modules: ${mb(nm.bytes)} apparent, ${mb(nm.disk)} on disk (4 KiB blocks), ${nm.files} files; rf8kit itself ${mb(own.bytes)}`);
    for (const [k, v] of Object.entries(res.imports)) console.log(`import ${k}: ${v.ms.toFixed(1)} ms, RSS ${v.rss.toFixed(1)} MB (bare node ${v.bareNodeRss.toFixed(1)} MB)`);
    console.log(`load average ${res.load.map((x) => x.toFixed(1)).join(' ')} on ${res.cores} cores`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
