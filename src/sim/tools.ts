import { execFileSync } from 'node:child_process';
import { InputError } from '../util/errors.js';

/** EDA / build tools the co-simulation needs, with the Debian package that provides each. */
export const TOOLS = {
  verilator: { pkg: 'verilator', args: ['--version'] },
  iverilog: { pkg: 'iverilog', args: ['-V'] },
  vvp: { pkg: 'iverilog', args: ['-v'] },
  'g++': { pkg: 'g++', args: ['--version'] },
  yosys: { pkg: 'yosys', args: ['-V'] },
} as const;
export type ToolName = keyof typeof TOOLS;

const versions = new Map<string, string | null>();

/** First line of the tool's version output, or null when it is not installed. */
export function toolVersion(t: ToolName): string | null {
  if (versions.has(t)) return versions.get(t)!;
  let v: string | null;
  const first = (out: string | undefined): string => (out ?? '').split('\n').map((l) => l.trim()).find((l) => l && !/no input file/.test(l)) ?? '';
  try {
    const out = execFileSync(t, [...TOOLS[t].args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    v = first(out) || 'installed';
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string };
    // some tools exit non-zero after printing their version (iverilog -V); any answer means installed
    v = err.code === 'ENOENT' ? null : first(err.stdout) || first(err.stderr) || 'installed';
  }
  versions.set(t, v);
  return v;
}

/** Throw a one-line InputError naming the Debian package when a tool is missing. */
export function requireTool(t: ToolName): string {
  const v = toolVersion(t);
  if (!v) throw new InputError(`${t} not found: install the Debian package '${TOOLS[t].pkg}' (apt-get install ${TOOLS[t].pkg})`);
  return v;
}
