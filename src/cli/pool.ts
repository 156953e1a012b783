import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { InputError } from '../util/errors.js';
import type { TensorTask, TensorTaskResult } from './tensor-tasks.js';

/**
 * A pool of worker threads for per-tensor work (`rf8 fit`, `rf8 quantize`): each worker opens
 * the weight file itself, reads one tensor, computes, and posts the result back (typed arrays
 * transferred, not copied). Callers keep at most `size` tasks in flight, so peak memory is about
 * `size` tensors. Errors come back by name: an InputError in a worker is an InputError here.
 */
export class TensorPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { task: TensorTask; resolve: (r: TensorTaskResult) => void; reject: (e: Error) => void }[] = [];
  private readonly busy = new Map<Worker, { resolve: (r: TensorTaskResult) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./workers/tensor-worker.js', import.meta.url));
      w.on('message', (m: { ok: true; result: TensorTaskResult } | { ok: false; error: { name: string; message: string; stack?: string } }) => {
        const job = this.busy.get(w);
        this.busy.delete(w);
        this.idle.push(w);
        if (job) {
          if (m.ok) job.resolve(m.result);
          else {
            const e = m.error.name === 'InputError' ? new InputError(m.error.message) : Object.assign(new Error(m.error.message), { name: m.error.name });
            if (m.error.stack) e.stack = m.error.stack;
            job.reject(e);
          }
        }
        this.pump();
      });
      w.on('error', (e) => {
        const job = this.busy.get(w);
        this.busy.delete(w);
        job?.reject(e);
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  run(task: TensorTask): Promise<TensorTaskResult> {
    if (this.closed) return Promise.reject(new Error('TensorPool: closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage(job.task);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Below this many values in all, the default is the main thread: starting workers costs more than it saves. */
export const PARALLEL_MIN_VALUES = 1 << 22;

/**
 * `--jobs`: explicit N (1 = the main thread), else the machine's cores when the tensors hold at
 * least PARALLEL_MIN_VALUES values in all, else 1. Never more than the tensors.
 */
export function jobsOption(v: number | undefined, tasks: number, totalValues = Infinity): number {
  if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 256)) throw new InputError(`--jobs: not an integer in [1, 256]: ${String(v)}`);
  const j = v ?? (totalValues >= PARALLEL_MIN_VALUES ? availableParallelism() : 1);
  return Math.max(1, Math.min(j, tasks));
}
