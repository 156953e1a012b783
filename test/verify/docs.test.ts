import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/cli.js';
import { haveTools } from '../sim/tools.js';

/** The worked example of docs/verify-your-rtl.md: every line runs, with the exit code it states. */
const ok = haveTools('iverilog', 'vvp', 'verilator');
describe.skipIf(!ok)('docs/verify-your-rtl.md worked example', () => {
  it('runs from the checkout with the stated exit codes', { timeout: 600_000 }, async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'verify-your-rtl.md'), 'utf8');
    const block = /<!-- example:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- example:end -->/.exec(doc);
    expect(block).not.toBeNull();
    const lines = block![1]!.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const l of lines) {
      const m = /^(.*?)\s*(?:#\s*exit (\d+))?$/.exec(l)!;
      const cmd = m[1]!.replace(/^rf8 /, `${process.execPath} ${BIN} `);
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
        const c = spawn('bash', ['-c', cmd], { cwd: ROOT });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d));
        c.stderr.on('data', (d: Buffer) => (stderr += d));
        c.on('exit', (status) => res({ status, stdout, stderr }));
      });
      expect(r.status, `${l}\n${r.stderr}`).toBe(Number(m[2] ?? 0));
      if (m[2] === '1') expect(r.stdout, l).toMatch(/first mismatch in .*line \d+/);
    }
  });
});
