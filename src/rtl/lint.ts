import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedRtl } from './generate.js';

const execFileP = promisify(execFile);

export interface ToolRun {
  tool: string;
  ok: boolean;
  output: string;
}

async function inTemp<T>(g: GeneratedRtl, fn: (dir: string, files: string[]) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rf8-rtl-'));
  try {
    const files = g.sources.map((s) => {
      const p = join(dir, s.name);
      writeFileSync(p, s.text);
      return p;
    });
    return await fn(dir, files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(tool: string, args: string[], cwd: string): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await execFileP(tool, args, { cwd, maxBuffer: 64 << 20 });
    return { tool, ok: true, output: (stdout + stderr).trim() };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string; code?: string };
    if (x.code === 'ENOENT') throw e;
    return { tool, ok: false, output: ((x.stdout ?? '') + (x.stderr ?? x.message)).trim() };
  }
}

/** `verilator --lint-only -Wall` over a generated configuration. */
export function lintVerilator(g: GeneratedRtl): Promise<ToolRun> {
  return inTemp(g, (dir, files) => run('verilator', ['--lint-only', '-Wall', '--top-module', g.top, ...files], dir));
}

/** Icarus Verilog compile (-g2012) of a generated configuration. */
export function lintIverilog(g: GeneratedRtl): Promise<ToolRun> {
  return inTemp(g, (dir, files) => run('iverilog', ['-g2012', '-Wall', '-o', join(dir, 'a.out'), '-s', g.top, ...files], dir));
}

/** yosys: read as plain Verilog-2005 (no -sv), elaborate and synthesize generically. */
export function lintYosys(g: GeneratedRtl): Promise<ToolRun> {
  return inTemp(g, (dir, files) => run('yosys', ['-q', '-p', `${files.map((f) => `read_verilog ${f}`).join('; ')}; hierarchy -check -top ${g.top}; proc; opt; check -assert`], dir));
}
