import type { CommandModule } from 'yargs';
import { join } from 'node:path';
import { InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, type CommonArgs } from '../common.js';
import { requirePeers } from '../../util/peer.js';

interface Args extends CommonArgs {
  out: string;
  quick: boolean;
  seed?: number;
  lanes?: number;
  images?: number;
  lambda?: number;
  steps?: number;
  'beta-target'?: number;
  gamma?: number;
  'finetune-steps'?: number;
  method?: string;
  rdo?: number;
  estimate?: boolean;
  inject?: string[];
  'rf8-acts'?: string;
}

function num(v: unknown, what: string, min: number, max: number): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new InputError(`--${what}: ${String(v)} is not a number in [${min}, ${max}]`);
  return x;
}

export const demoCommand: CommandModule<object, Args> = {
  command: 'demo',
  describe: 'the whole chain on MNIST: train (GG init + BackSlash) -> DeepShape -> RF8 inference -> golden vectors -> RTL -> Verilator co-simulation -> estimate -> report',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'runs/demo', describe: 'run folder (report.md, report.json, SVG plots, hw/ golden vectors and RTL outputs)' })
      .option('quick', { type: 'boolean', default: false, describe: 'small budget (CI): under 2 minutes on 2 cores' })
      .option('seed', { type: 'number', describe: 'seed of everything random (default 1)' })
      .option('lanes', { type: 'number', describe: 'MAC lanes of the RTL layer engine (default 8)' })
      .option('images', { type: 'number', describe: 'test images run through the RTL (default 200; --quick 100)' })
      .option('lambda', { type: 'number', describe: 'BackSlash rate weight (default 0.01)' })
      .option('steps', { type: 'number', describe: 'training steps (default 2500; --quick 300)' })
      .option('beta-target', { type: 'number', describe: 'DeepShape target shape (default 1)' })
      .option('gamma', { type: 'number', describe: 'DeepShape strength in [0, 1] (default 0.5)' })
      .option('finetune-steps', { type: 'number', describe: 'DeepShape recovery fine-tune steps (default 300; --quick 50)' })
      .option('method', { type: 'string', choices: ['rf8kit', 'paper'], describe: "BackSlash + DeepShape of the chain: rf8kit's (default) or the authors' (the report shows both DeepShapes either way)" })
      .option('rdo', { type: 'number', describe: 'BackSlash (paper) rdo (default 2.35 = 2000 n / 2e8 at this model size; the authors use 2000 on 1e8-1e9 parameters)' })
      .option('estimate', { type: 'boolean', describe: 'run the yosys / nextpnr estimate stage (default: on, off with --quick)' })
      .option('inject', { type: 'string', array: true, describe: 'inject RTL faults (rf8 rtl --list-faults); the co-simulation must then fail' })
      .option('rf8-acts', { type: 'string', describe: "activation format of the authors' RF8 configuration: rf8 weights x this format (default rf8-e3m4; int8, rf8, ...)" }) as never,
  handler: async (args) => {
    requirePeers('tfjs', 'rf8 demo');
    const { runDemo, demoDefaults } = await import('../../demo/index.js');
    const { getFormat } = await import('../../format/index.js');
    let rf8Acts: import('../../format/index.js').FormatName | undefined;
    if (args['rf8-acts'] !== undefined) {
      try {
        rf8Acts = getFormat(String(args['rf8-acts'])).name;
      } catch (e) {
        throw new InputError(`--rf8-acts: ${(e as Error).message}`);
      }
    }
    const { progress } = await import('../../nn/progress.js');
    const d = demoDefaults(args.quick);
    const o = {
      ...d,
      out: args.out,
      seed: args.seed !== undefined ? parseIntStrict(args.seed, '--seed', 0, 2 ** 31) : d.seed,
      lanes: args.lanes !== undefined ? parseIntStrict(args.lanes, '--lanes', 1, 32) : d.lanes,
      images: args.images !== undefined ? parseIntStrict(args.images, '--images', 1, 10000) : d.images,
      lambda: args.lambda !== undefined ? num(args.lambda, 'lambda', 0, 1e6) : d.lambda,
      steps: args.steps !== undefined ? parseIntStrict(args.steps, '--steps', 1, 1e7) : d.steps,
      betaTarget: args['beta-target'] !== undefined ? num(args['beta-target'], 'beta-target', 0.05, 20) : d.betaTarget,
      gamma: args.gamma !== undefined ? num(args.gamma, 'gamma', 0, 1) : d.gamma,
      finetuneSteps: args['finetune-steps'] !== undefined ? parseIntStrict(args['finetune-steps'], '--finetune-steps', 0, 1e7) : d.finetuneSteps,
      method: (args.method ?? d.method) as 'rf8kit' | 'paper',
      rdo: args.rdo !== undefined ? num(args.rdo, 'rdo', 0, 1e9) : d.rdo,
      estimate: args.estimate ?? d.estimate,
      inject: args.inject ?? [],
      rf8Acts: rf8Acts ?? d.rf8Acts,
      log,
      progress,
    };
    if (o.inject.length) {
      const { parseFaults } = await import('../../rtl/faults.js');
      parseFaults(o.inject);
    }
    const r = await runDemo(o);
    const hw = r.hardware as { vectors: number; mismatches: number; rtlAccuracy: number | null; refAccuracy: number | null };
    emit(args, r, () =>
      [
        `float test accuracy  ${(r.float.testAcc * 100).toFixed(2)}%  (after DeepShape ${(r.float.afterDeepShapeTestAcc * 100).toFixed(2)}%)`,
        `GG float modes       ${(r.rf8.testAcc * 100).toFixed(2)}%  (rf8kit's rf8-e* formats, auto per row; bit-exact layer reference, ${r.rf8.images} images)`,
        ...(r.authorsRf8
          ? [
              `authors' RF8         ${(r.authorsRf8.layerRef.testAcc * 100).toFixed(2)}%  (rf8 weights x ${r.authorsRf8.layerRef.activations}, layer reference${r.authorsRf8.layerRef.hardware ? `; RTL ${r.authorsRf8.layerRef.hardware.mismatches} mismatches of ${r.authorsRf8.layerRef.hardware.vectors}` : ''})` +
                (r.authorsRf8.weightOnly ? `; weights only, float activations ${(r.authorsRf8.weightOnly.testAcc * 100).toFixed(2)}%` : ''),
            ]
          : []),
        `bits/param           ${r.compression.bitsPerParam === null ? '-' : r.compression.bitsPerParam.toFixed(3)} (uniform + Exp-Golomb, <= 0.5 pt drop); float-mode codes ${r.rf8.bitsPerWeightEntropy.toFixed(2)} bits/weight entropy`,
        `co-simulation        ${hw.vectors} outputs compared, ${hw.mismatches} mismatches; RTL accuracy ${((hw.rtlAccuracy ?? 0) * 100).toFixed(2)}% = reference ${((hw.refAccuracy ?? 0) * 100).toFixed(2)}%`,
        `stages               ${r.stages.map((s) => `${s.name} ${s.status === 'ok' ? `${s.seconds.toFixed(1)}s` : s.status}`).join(', ')}`,
        `report               ${join(args.out, 'report.md')} (total ${r.totalSeconds.toFixed(1)} s)`,
      ].join('\n'),
    );
  },
};
