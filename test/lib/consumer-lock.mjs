// Build a package-lock.json for a consumer project that depends on a packed rf8kit tarball,
// from the repository's own lockfile: the closure of rf8kit's runtime dependencies (no optional
// peers), so `npm ci --offline` installs it from the npm cache with no registry request.
import { readFileSync } from 'node:fs';

export function consumerLock(repoLockPath, repoPkg, tarballName, integrity, devDeps = []) {
  const lock = JSON.parse(readFileSync(repoLockPath, 'utf8'));
  const pk = lock.packages;
  const out = {};
  // resolve `name` as required from the package at `fromPath` ('' = root), node's lookup order
  const resolveFrom = (fromPath, name) => {
    let p = fromPath;
    for (;;) {
      const cand = (p ? p + '/' : '') + 'node_modules/' + name;
      if (pk[cand]) return cand;
      if (!p) return null;
      const i = p.lastIndexOf('/node_modules/');
      p = i < 0 ? '' : p.slice(0, i);
    }
  };
  const seen = new Set();
  const visit = (fromPath, deps) => {
    for (const name of Object.keys(deps ?? {})) {
      const at = resolveFrom(fromPath, name);
      if (!at) throw new Error(`consumerLock: ${name} (needed by ${fromPath || 'rf8kit'}) is not in ${repoLockPath}`);
      if (seen.has(at)) continue;
      seen.add(at);
      out[at] = pk[at];
      visit(at, { ...pk[at].dependencies, ...pk[at].optionalDependencies });
    }
  };
  visit('', repoPkg.dependencies);
  const dev = {};
  for (const d of devDeps) dev[d] = repoPkg.devDependencies?.[d] ?? '*';
  visit('', dev);
  const rf8 = {
    version: repoPkg.version,
    resolved: `file:${tarballName}`,
    ...(integrity ? { integrity } : {}),
    license: repoPkg.license,
    dependencies: repoPkg.dependencies,
    bin: { rf8: 'bin/rf8.js' },
    engines: repoPkg.engines,
    peerDependencies: repoPkg.peerDependencies,
    peerDependenciesMeta: repoPkg.peerDependenciesMeta,
  };
  const packages = {
    '': { name: 'rf8kit-consumer', version: '1.0.0', dependencies: { rf8kit: `file:${tarballName}` }, devDependencies: dev },
    'node_modules/rf8kit': rf8,
  };
  for (const k of Object.keys(out).sort()) packages[k] = out[k];
  return { name: 'rf8kit-consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}
