import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, BIN } from '../helpers/cli.js';
import { encode, accWidth, Mac } from '../../src/index.js';

/**
 * Every `$ rf8 ...` example in README.md is run and its printed output must appear in the
 * actual output, line for line and in order ("..." in the README skips lines).
 */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples: { cmd: string; expected: string[] }[] = [];
for (const block of readme.split('```').filter((_, i) => i % 2 === 1)) {
  const lines = block.split('\n').slice(1);
  let cur: { cmd: string; expected: string[] } | undefined;
  for (const l of lines) {
    if (l.startsWith('$ ')) {
      cur = { cmd: l.slice(2), expected: [] };
      examples.push(cur);
    } else if (cur && l.trim() !== '') cur.expected.push(l);
  }
}

function runBash(sh: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', sh], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('README examples are real output', () => {
  it('has examples', () => expect(examples.length).toBeGreaterThan(4));
  for (const ex of examples) {
    if (/\brf8 (demo|train|estimate|deepshape|eval)\b/.test(ex.cmd)) continue; // long runs: covered by their own tests
    it(ex.cmd, { timeout: 300_000 }, async () => {
      const sh = ex.cmd.replace(/(^|\|\s*)rf8 /g, `$1${process.execPath} ${BIN} `);
      // async: a long synchronous spawn stalls the vitest worker's RPC (it times out after 60 s)
      const r = await runBash(sh);
      expect(r.status, r.stderr).toBe(0);
      const got = r.stdout.split('\n').map((l) => l.trimEnd());
      let at = 0;
      let gap = false;
      for (const want of ex.expected) {
        if (want.trim() === '...') {
          gap = true;
          continue;
        }
        const idx = got.indexOf(want.trimEnd(), at);
        expect(idx, `line not found in order: '${want}'`).toBeGreaterThanOrEqual(0);
        if (!gap) expect(idx, `unexpected lines before '${want}'`).toBe(at);
        at = idx + 1;
        gap = false;
      }
    });
  }
  it('the library snippet', () => {
    expect(encode('rf8-e3m4', 0.3, { scale: -2 })).toBe(0x13);
    const w = accWidth('rf8-e3m4', 'rf8-e3m4', 4096).W;
    expect(w).toBe(35);
    const mac = new Mac({ a: 'rf8-e3m4', b: 'rf8-e3m4', W: w, lanes: 8 });
    mac.clear();
    mac.step([0x10, 0x30], [0x10, 0x30], 0b11);
    expect(mac.acc).toBe(4352n);
  });
});

describe('README hardware numbers come from docs/estimates.md', () => {
  it('the 8-lane LUT, Fmax and MAC/s figures and the percentages match the generated table', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'estimates.md'), 'utf8');
    const row = (fmt: string, n: number) => {
      const l = doc.split('\n').find((x) => x.startsWith(`| ${fmt} | ${n} | `));
      if (!l) throw new Error(`no ${fmt} N=${n} row`);
      return l.split('|').map((c) => c.trim());
    };
    const rf8 = row('rf8-e3m4', 8);
    const ocp = row('ocp-e4m3', 8);
    const int8 = row('int8', 8);
    // columns: '', format, N, W, LUTs, carry, FFs, DSP, BRAM, LCs placed, Fmax, seeds, MAC/s
    const m = readme.match(/takes (\d+) LUTs at ([\d.]+) MHz \(([\d.]+) M MAC\/s\); OCP E4M3 takes\s+(\d+) LUTs \((\d+)% more\), INT8 (\d+) \((\d+)% more\)/);
    expect(m).not.toBeNull();
    const [, l, f, macs, lo, po, li, pi] = m!;
    expect([l, f, `${macs} M`]).toEqual([rf8[4], rf8[10], rf8[12]]);
    expect(lo).toBe(ocp[4]);
    expect(li).toBe(int8[4]);
    expect(Number(po)).toBe(Math.round((Number(ocp[4]) / Number(rf8[4]) - 1) * 100));
    expect(Number(pi)).toBe(Math.round((Number(int8[4]) / Number(rf8[4]) - 1) * 100));
    const p5 = doc.slice(doc.indexOf('<!-- rf8 estimate: begin hx8k pipe=6 -->'));
    const r5 = p5.split('\n').find((x) => x.startsWith('| rf8-e3m4 | 8 | '))!.split('|').map((c) => c.trim());
    const pm = readme.match(/8-lane rf8-e3m4 engine runs at ([\d.]+) MHz\s+\(([\d.]+ M) MAC\/s\)/);
    expect(pm).not.toBeNull();
    expect([pm![1], pm![2]]).toEqual([r5[10], r5[12]]);
    const multi = row('gg-multi', 8);
    const mm = readme.match(/takes (\d+) LUTs at ([\d.]+) MHz \((\d+)%\s+more than rf8-e3m4: its shared grid needs W = (\d+)\)/);
    expect(mm).not.toBeNull();
    expect([mm![1], mm![2], mm![4]]).toEqual([multi[4], multi[10], multi[3]]);
    expect(Number(mm![3])).toBe(Math.round((Number(multi[4]) / Number(rf8[4]) - 1) * 100));
  });
});
