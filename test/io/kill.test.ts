/**
 * Acceptance: killing a quantize run mid-write (SIGKILL) leaves either no output or the previous
 * one, never a partial file. Two subjects:
 * - the streaming library path (quantizeWeightsFile -> Rf8SafetensorsWriter -> AtomicFileWriter)
 *   in a child process that reports each tensor written; it is killed at seeded random delays
 *   after its first tensor hit the temp file, i.e. while the output is being written;
 * - the `rf8 quantize` command itself, killed at seeded random delays over its run.
 * After each kill the output must be byte-identical to the previous file or to the complete new
 * one. Needs the built dist/ (npm test runs tsc first).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/util/rng.js';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { writeSafetensors } from '../../src/io/index.js';
import { randomF32, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = join(ROOT, 'test/io/fixtures/quantize-child.mjs');
const BIN = join(ROOT, 'bin/rf8.js');
const KILLS = 6;

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

function model(path: string, seed: number, tensors: number, rows: number, cols: number): void {
  const rng = new Rng(seed);
  writeSafetensors(
    path,
    Array.from({ length: tensors }, (_, k) => ({ name: `layer${k}.weight`, dtype: 'F32' as const, shape: [rows, cols], data: randomF32(rng, rows * cols) })),
  );
}

interface KillResult {
  signal: NodeJS.Signals | null;
  code: number | null;
  tensorsWritten: number;
}

/**
 * Spawn, wait until `afterLine` shows on stdout or `armWhen()` turns true (polled every
 * millisecond), then SIGKILL after `delayMs`.
 */
function runAndKill(args: string[], delayMs: number, trigger: { afterLine?: RegExp; armWhen?: () => boolean }): Promise<KillResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let armed = false;
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    let tensors = 0;
    const arm = (): void => {
      if (armed) return;
      armed = true;
      if (poll) clearInterval(poll);
      timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      tensors = (buf.match(/^tensor \d+$/gm) ?? []).length;
      if (trigger.afterLine?.test(buf)) arm();
    });
    child.stderr.on('data', () => {});
    if (trigger.armWhen) {
      const w = trigger.armWhen;
      poll = setInterval(() => {
        if (w()) arm();
      }, 1);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ signal, code, tensorsWritten: tensors });
    });
  });
}

/** True once the output starts being written: a temp file appears, or the output itself changes. */
function writingStarted(dir: string, out: string): () => boolean {
  const before = statSync(out);
  return () => {
    if (readdirSync(dir).some((n) => n.endsWith('.tmp'))) return true;
    try {
      const st = statSync(out);
      return st.mtimeMs !== before.mtimeMs || st.size !== before.size || st.ino !== before.ino;
    } catch {
      return true;
    }
  };
}

const distBuilt = existsSync(join(ROOT, 'dist/io/index.js')) && existsSync(join(ROOT, 'dist/cli/main.js'));
if (!distBuilt && process.env.CI) throw new Error('dist/ is not built: run npx tsc -p . before the io tests');

describe.skipIf(!distBuilt)('SIGKILL mid-write leaves the previous output or the complete new one', () => {
  it('streaming library path (RF8 safetensors writer)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = join(dir, 'in.safetensors');
      const old = join(dir, 'old.safetensors');
      const out = join(dir, 'out.rf8.safetensors');
      model(input, 1, 8, 512, 512); // 8 MB of float32 -> 2 MB of codes, written tensor by tensor
      model(old, 2, 2, 64, 64);
      // the previous output, and the complete new one
      const prev = spawnSync(process.execPath, [CHILD, old, out], { encoding: 'utf8' });
      expect(prev.status, prev.stderr).toBe(0);
      const prevBytes = readFileSync(out);
      const prevHash = sha(out);
      const t0 = performance.now();
      const full = spawnSync(process.execPath, [CHILD, input, out], { encoding: 'utf8' });
      const T = performance.now() - t0;
      expect(full.status, full.stderr).toBe(0);
      const newHash = sha(out);
      expect(newHash).not.toBe(prevHash);
      const rng = new Rng(0x8c11);
      let midWrite = 0;
      for (let k = 0; k < KILLS; k++) {
        writeFileAtomic(out, prevBytes);
        const r = await runAndKill([CHILD, input, out], rng.float() * T * 0.6, { afterLine: /^tensor 0$/m });
        const h = sha(out);
        if (r.signal === 'SIGKILL') {
          // killed before the commit: the previous file; killed between the commit (rename) and
          // the exit: the complete new one (only after every tensor was written)
          if (h === newHash) expect(r.tensorsWritten, `kill ${k}: the new file before every tensor was written`).toBe(8);
          else expect(h, `kill ${k} after ${r.tensorsWritten} tensors`).toBe(prevHash);
          if (r.tensorsWritten < 8) midWrite++;
        } else {
          expect(r.code).toBe(0);
          expect(h).toBe(newHash);
        }
        // a SIGKILL can leave the hidden temp file; the output itself is never partial
        for (const n of readdirSync(dir)) if (n.endsWith('.tmp')) rmSync(join(dir, n));
      }
      expect(midWrite).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });

  it('the rf8 quantize command', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = join(dir, 'in.safetensors');
      const old = join(dir, 'old.safetensors');
      const out = join(dir, 'q.rf8.safetensors');
      model(input, 3, 4, 256, 512);
      model(old, 4, 1, 32, 32);
      const cli = (src: string) => [BIN, 'quantize', src, '--out', out, '--format', 'rf8-e3m4', '--scale-method', 'amax', '--per-row', '--no-bound'];
      const prev = spawnSync(process.execPath, cli(old), { encoding: 'utf8' });
      expect(prev.status, prev.stderr).toBe(0);
      const prevBytes = readFileSync(out);
      const prevHash = sha(out);
      const t0 = performance.now();
      const full = spawnSync(process.execPath, cli(input), { encoding: 'utf8' });
      const T = performance.now() - t0;
      expect(full.status, full.stderr).toBe(0);
      const newHash = sha(out);
      const rng = new Rng(0x8c12);
      let killed = 0;
      for (let k = 0; k < KILLS; k++) {
        writeFileAtomic(out, prevBytes);
        // The command streams tensor by tensor into a temp file: kill within a few ms of the
        // moment its output starts being written.
        const r = await runAndKill(cli(input), rng.float() * 4, { armWhen: writingStarted(dir, out) });
        const h = sha(out);
        expect([prevHash, newHash], `kill ${k} (${r.signal ?? r.code})`).toContain(h);
        if (r.signal !== 'SIGKILL') expect(h).toBe(newHash);
        else killed++;
        for (const n of readdirSync(dir)) if (n.endsWith('.tmp')) rmSync(join(dir, n));
      }
      expect(killed).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });
});
