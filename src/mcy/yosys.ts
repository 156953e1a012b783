import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '../sim/tools.js';

const execFileP = promisify(execFile);

export interface YosysRun {
  /** The log (yosys -l), also written to <dir>/<name>.log. */
  log: string;
  seconds: number;
}

/**
 * Run a yosys script (written to <dir>/<name>.ys) in `dir`; the log goes to <dir>/<name>.log.
 * Throws with the first ERROR line when yosys fails. `okFail`: a non-zero exit is returned
 * instead of thrown (sat -prove failing is an answer, not an error).
 */
export async function runYosys(dir: string, name: string, script: string, o: { okFail?: boolean; timeoutSec?: number } = {}): Promise<YosysRun & { code: number }> {
  requireTool('yosys');
  const ys = join(dir, `${name}.ys`);
  const logf = join(dir, `${name}.log`);
  writeFileSync(ys, script);
  const t0 = Date.now();
  let code = 0;
  try {
    await execFileP('yosys', ['-q', '-l', logf, '-s', ys], { cwd: dir, maxBuffer: 256 << 20, timeout: (o.timeoutSec ?? 3600) * 1000 });
  } catch (e) {
    const x = e as { code?: number; killed?: boolean; stdout?: string; stderr?: string; message: string };
    code = typeof x.code === 'number' ? x.code : 1;
    if (x.killed && !o.okFail) throw new Error(`yosys ${name}: timed out after ${o.timeoutSec} s`);
    if (x.killed) code = -1;
    if (!o.okFail) {
      const err = `${x.stdout ?? ''}\n${x.stderr ?? ''}`.split('\n').find((l) => /ERROR/.test(l)) ?? x.message.split('\n')[0];
      throw new Error(`yosys ${name} failed (${ys}): ${err}`);
    }
  }
  const { readFileSync } = await import('node:fs');
  let log = '';
  try {
    log = readFileSync(logf, 'utf8');
  } catch {
    log = '';
  }
  if (code === -1) log += `\nTIMEOUT: yosys ${name} killed after ${o.timeoutSec} s\n`;
  return { log, seconds: (Date.now() - t0) / 1000, code };
}

/** Quote a file name for a yosys script. */
export function yq(p: string): string {
  if (/["\s]/.test(p)) return `"${p.replace(/"/g, '\\"')}"`;
  return p;
}
