import { toolVersion, type ToolName } from '../../src/sim/tools.js';

/**
 * Co-simulation tests need EDA tools. Locally a missing tool skips the tests; under CI
 * (process.env.CI set) it fails them, naming the Debian package to install.
 */
export function haveTools(...tools: ToolName[]): boolean {
  const missing = tools.filter((t) => !toolVersion(t));
  if (missing.length === 0) return true;
  const msg = `missing EDA tool(s): ${missing.join(', ')} (apt-get install ${[...new Set(missing.map((t) => (t === 'vvp' ? 'iverilog' : t)))].join(' ')})`;
  if (process.env.CI) throw new Error(`${msg}: co-simulation tests must not skip under CI`);
  console.warn(`skipping: ${msg}`);
  return false;
}
