import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { Beat, BeatOut, RtlConfig } from '../rtl/index.js';
import { beatFields, parseOutLine, type LineShape } from '../golden/line.js';

/**
 * The TS side of the harness's interactive line protocol (property mode). Commands, one per
 * line on the harness's stdin:
 *
 *   b CTL XA XB XO INIT MASK A B   queue a beat (hex fields exactly as in the vector files)
 *   g                              run the queued beats and drain: one 'o ACC FLAGS F32 CODES'
 *                                  line per output beat (beats with last), then 'd CYCLES'
 *   r                              reset the DUT ('d 0')
 *   s SEED PIN POUT                random input bubbles / output backpressure ('d 0')
 *   i                              'i N W K F32 LATENCY'
 *   q                              quit
 */
export class DutSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly rl: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  private stderr = '';
  private exited: string | null = null;
  readonly shape: LineShape;

  constructor(
    exe: string,
    readonly cfg: RtlConfig,
    opts: { faultSel?: number } = {},
  ) {
    this.shape = { W: cfg.W, lanes: cfg.lanes, K: cfg.outs.length, f32: cfg.f32 };
    const args = ['--interactive', ...(opts.faultSel ? ['--fault-sel', String(opts.faultSel)] : [])];
    this.child = spawn(exe, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.child.on('exit', (code, sig) => {
      this.exited = `harness exited (${code ?? sig}) ${this.stderr.trim()}`;
      for (const w of this.waiting.splice(0)) w('');
    });
    this.rl = createInterface({ input: this.child.stdout });
    this.rl.on('line', (l) => {
      const w = this.waiting.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((res, rej) =>
      this.waiting.push((x) => {
        if (this.exited && x === '') rej(new Error(this.exited));
        else res(x);
      }),
    );
  }

  private send(s: string): void {
    this.child.stdin.write(s + '\n');
  }

  async reset(): Promise<void> {
    this.send('r');
    const l = await this.next();
    if (!l.startsWith('d')) throw new Error(`harness: unexpected '${l}'`);
  }

  async setStall(seed: number, pIn: number, pOut: number): Promise<void> {
    this.send(`s ${seed >>> 0} ${pIn} ${pOut}`);
    const l = await this.next();
    if (!l.startsWith('d')) throw new Error(`harness: unexpected '${l}'`);
  }

  /** Run beats through the DUT; returns the output beats (one per beat with `last`). */
  async run(beats: readonly Beat[]): Promise<BeatOut[]> {
    const text = beats.map((b) => 'b ' + beatFields(this.shape, b)).join('\n');
    if (text) this.send(text);
    this.send('g');
    const outs: BeatOut[] = [];
    for (;;) {
      const l = await this.next();
      if (l.startsWith('o ')) outs.push(parseOutLine(this.shape, l));
      else if (l.startsWith('d ')) break;
      else if (l.startsWith('e ')) throw new Error(`harness: ${l.slice(2)}`);
      else throw new Error(`harness: unexpected '${l}'`);
    }
    return outs;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((res) => this.child.once('exit', () => res()));
    this.send('q');
    this.child.stdin.end();
    await done;
  }
}
