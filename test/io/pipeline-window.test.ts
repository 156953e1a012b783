// quantizeWeightsFileAsync's window (src/io/pipeline.ts): `window` large tensors in flight at
// once, with the small ones between them not counted against it, and never more.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { quantizeWeightsFileAsync } from '../../src/io/pipeline.js';
import type { TensorInfo } from '../../src/io/source.js';

describe('quantizeWeightsFileAsync window', () => {
  it('keeps `window` big tensors in flight, small ones between them do not block it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-window-'));
    const input = join(dir, 'in.safetensors');
    // big [64, 64] matrices alternating with small [2, 4] ones, every one quantized
    const tensors = Array.from({ length: 8 }, (_, k) => {
      const shape = k % 2 === 0 ? [64, 64] : [2, 4];
      return { name: `t${k}`, dtype: 'F32' as const, shape, data: new Float32Array(shape[0]! * shape[1]!).fill(0.5) };
    });
    writeSafetensors(input, tensors);
    for (const window of [1, 2, 3]) {
      let running = 0;
      let bigRunning = 0;
      let maxBig = 0;
      const order: string[] = [];
      const release: (() => void)[] = [];
      const summary = quantizeWeightsFileAsync({
        input,
        output: join(dir, `out-${window}.safetensors`),
        decide: () => ({ kind: 'rf8', granularity: 'tensor' }),
        window,
        quantizeAsync: (info: TensorInfo) =>
          new Promise((resolve) => {
            running++;
            const big = info.numel > 100;
            if (big) maxBig = Math.max(maxBig, ++bigRunning);
            order.push(info.name);
            // finish on the next macrotask, so every launch the window allows happens first
            release.push(() => {
              running--;
              if (big) bigRunning--;
              resolve({ format: 'rf8-e3m4', codes: new Uint8Array(info.numel), scales: Int8Array.of(0) });
            });
            setTimeout(() => release.shift()!(), 0);
          }),
      });
      const s = await summary;
      expect(s.quantized).toBe(8);
      expect(running).toBe(0);
      expect(order).toEqual(tensors.map((t) => t.name));
      expect(maxBig, `window ${window}`).toBe(Math.min(window, 4));
    }
  });
});
