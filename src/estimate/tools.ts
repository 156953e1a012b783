/**
 * The EDA tools the estimate flow runs (yosys, nextpnr-ice40): where they are, which version,
 * and how one run is executed (async child process, output captured to a log, a clear error
 * naming the Debian package when a tool is missing).
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InputError } from '../util/errors.js';

export type EdaToolName = 'yosys' | 'nextpnr-ice40';

/** The Debian package that provides each tool. */
export const EDA_TOOL_PACKAGES: Record<EdaToolName, string> = {
  yosys: 'yosys',
  'nextpnr-ice40': 'nextpnr-ice40',
};

/** Absolute path of an executable on PATH, or undefined. */
export function which(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function haveEdaTool(t: EdaToolName): boolean {
  return which(t) !== undefined;
}

/** Throws InputError naming the package to install when the tool is not on PATH. */
export function requireEdaTool(t: EdaToolName): string {
  const p = which(t);
  if (!p) throw new InputError(`${t} not found on PATH; install it: sudo apt-get install -y ${EDA_TOOL_PACKAGES[t]}`);
  return p;
}

const versionCache = new Map<EdaToolName, string>();

/** First line of the tool's version banner (e.g. "Yosys 0.23 (git sha1 7ce5011c24b)"). Part of every cache key. */
export function edaToolVersion(t: EdaToolName): string {
  const hit = versionCache.get(t);
  if (hit) return hit;
  const exe = requireEdaTool(t);
  const r = spawnSync(exe, [t === 'yosys' ? '-V' : '--version'], { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  const line = text.split('\n').find((l) => /\d+\.\d+/.test(l)) ?? text.split('\n')[0] ?? '';
  if (r.status !== 0 || !line) throw new InputError(`${t}: could not read its version (exit ${r.status})`);
  versionCache.set(t, line.trim());
  return line.trim();
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** A tool run that failed (non-zero exit); carries the tail of its log. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    readonly tool: string,
    readonly code: number,
    readonly output: string,
  ) {
    super(`${tool} exited with ${code}: ${lastErrorLine(output)}`);
  }
}

/** The most informative line of a failed tool's output (its ERROR line, else the last line). */
export function lastErrorLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.filter((l) => /^(ERROR|Error)\b/.test(l) || /\bERROR:/.test(l));
  return (err[err.length - 1] ?? lines[lines.length - 1] ?? '(no output)').slice(0, 400);
}

/** Run a command in `cwd`; resolves with the exit code and the captured output (never rejects on a non-zero exit). */
export function runTool(exe: string, args: string[], cwd: string, opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(exe, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      });
    });
  });
}

/** A counting semaphore: at most `n` tool runs at once (the machine has few cores). */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new InputError(`jobs must be a positive integer: ${n}`);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
