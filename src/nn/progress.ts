import cliProgress from 'cli-progress';

/**
 * Progress on stderr for the nn commands (rf8 train / deepshape / eval, scripts/experiments.ts): a cli-progress bar on a terminal, a line every ~10%
 * otherwise (CI logs). `update(value, payload)` takes the payload shown after the bar.
 */
export interface Progress {
  update(value: number, info?: string): void;
  stop(): void;
}

export function progress(label: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {info} eta {eta_formatted}`, clearOnComplete: true, stream: process.stderr, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update: (v, info) => bar.update(v, { info: info ?? '' }),
      stop: () => bar.stop(),
    };
  }
  let next = 0;
  const t0 = Date.now();
  return {
    update(v, info) {
      if (v >= next || v === total) {
        process.stderr.write(`${label}: ${v}/${total} ${info ?? ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
        next = v + Math.max(1, Math.ceil(total / 10));
      }
    },
    stop() {},
  };
}
