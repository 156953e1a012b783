import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Cross-process lock files (O_EXCL create holding the owner's pid). A lock whose owner has died,
 * or that is older than `staleMs`, is taken over. Two wrappers share one acquisition step: a
 * synchronous one (blocks the thread while polling) and an async one (polls on timers).
 */
const POLL_MS = 200;
const WAIT_MS = 30 * 60_000;
const STALE_MS = 20 * 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One attempt: true when the lock is now ours. Clears a stale lock and retries at once. */
function tryAcquire(path: string, staleMs: number): boolean {
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let stale = false;
    try {
      const pid = Number(readFileSync(path, 'utf8'));
      stale = (pid > 0 && !pidAlive(pid)) || Date.now() - statSync(path).mtimeMs > staleMs;
    } catch {
      stale = false;
    }
    if (!stale) return false;
    try {
      unlinkSync(path);
    } catch {
      /* raced with another waiter */
    }
  }
}

function release(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

/** Run `fn` holding the lock, polling without blocking the event loop. */
export async function withLock<T>(path: string, fn: () => Promise<T>, staleMs = STALE_MS): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  while (!tryAcquire(path, staleMs)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${path}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    release(path);
  }
}

/** Run `fn` holding the lock; synchronous (the thread sleeps between polls). */
export function withLockSync<T>(path: string, fn: () => T, staleMs = STALE_MS): T {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  while (!tryAcquire(path, staleMs)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${path}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
  try {
    return fn();
  } finally {
    release(path);
  }
}
