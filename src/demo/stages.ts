/**
 * A tiny stage runner for long pipelines: each stage is timed, logged to stderr, and recorded
 * (ok / failed / skipped with a reason) for the report. A failed stage stops the pipeline
 * unless it is marked optional.
 */
export interface StageRecord {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  seconds: number;
  detail?: string;
}

export class Stages {
  readonly records: StageRecord[] = [];
  private readonly t0 = performance.now();

  constructor(private readonly log: (msg: string) => void) {}

  async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const t = performance.now();
    this.log(`[${this.elapsed()}] stage ${name} ...`);
    try {
      const r = await fn();
      const seconds = (performance.now() - t) / 1000;
      this.records.push({ name, status: 'ok', seconds });
      this.log(`[${this.elapsed()}] stage ${name} done in ${seconds.toFixed(1)} s`);
      return r;
    } catch (e) {
      const seconds = (performance.now() - t) / 1000;
      this.records.push({ name, status: 'failed', seconds, detail: e instanceof Error ? e.message : String(e) });
      this.log(`[${this.elapsed()}] stage ${name} FAILED after ${seconds.toFixed(1)} s`);
      throw e;
    }
  }

  skip(name: string, why: string): void {
    this.records.push({ name, status: 'skipped', seconds: 0, detail: why });
    this.log(`[${this.elapsed()}] stage ${name} skipped: ${why}`);
  }

  elapsed(): string {
    const s = (performance.now() - this.t0) / 1000;
    return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  }

  totalSeconds(): number {
    return (performance.now() - this.t0) / 1000;
  }
}
