import type { CommandModule } from 'yargs';
import { join } from 'node:path';
import { InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';
import { progress } from '../../nn/progress.js';
import { requirePeers } from '../../util/peer.js';

interface Args extends CommonArgs {
  ckpt: string;
  rf8: boolean;
  'rf8-weight-only': boolean;
  'weight-only-format'?: string;
  split: string;
  limit?: number;
  compress: boolean;
  'max-drop'?: number;
  'step-mode': string;
  recalibrate: boolean;
  calib?: number;
  'w-format'?: string;
  'a-format'?: string;
  'w-rounding'?: string;
  'a-rounding'?: string;
  'w-modes'?: string;
  'a-modes'?: string;
  plot?: string;
}

/** The --w-* / --a-* options as Rf8Options (undefined when none is given). */
async function rf8OptionsOf(args: Args): Promise<import('../../nn/rf8.js').Rf8Options | undefined> {
  const { getFormat, ROUNDINGS } = await import('../../format/index.js');
  const { parseCandidates } = await import('../../quant/index.js');
  type Rd = import('../../format/index.js').Rounding;
  type Fm = import('../../format/index.js').FormatName;
  const o: import('../../nn/rf8.js').Rf8Options = {};
  const side = (k: 'w' | 'a', what: string): void => {
    const f = args[`${k}-format`];
    const r = args[`${k}-rounding`];
    const m = args[`${k}-modes`];
    const fmt: Fm | 'auto' | undefined = f === undefined ? undefined : f === 'auto' ? 'auto' : (() => {
      try {
        return getFormat(String(f)).name;
      } catch (e) {
        throw new InputError(`--${k}-format: ${(e as Error).message}`);
      }
    })();
    const cands = m !== undefined ? parseCandidates(m, `--${k}-modes`) : undefined;
    if (cands && fmt !== undefined && fmt !== 'auto') throw new InputError(`--${k}-modes lists the candidates of --${k}-format auto, not of --${k}-format ${fmt}`);
    let rd: Rd | undefined;
    if (r !== undefined) {
      if (r === 'sr' || !(ROUNDINGS as readonly string[]).includes(r)) throw new InputError(`--${k}-rounding: '${r}' is not one of ${ROUNDINGS.filter((x) => x !== 'sr').join(', ')}`);
      rd = r as Rd;
      const list = fmt !== undefined && fmt !== 'auto' ? [fmt] : cands;
      if (list && !list.some((x) => getFormat(x).policy.roundings.includes(rd!))) throw new InputError(`--${k}-rounding ${r} is not available for the ${what} format${list.length > 1 ? 's' : ''} ${list.join(', ')}`);
    }
    if (k === 'w') Object.assign(o, fmt !== undefined ? { wFormat: fmt } : {}, cands ? { wCandidates: cands } : {}, rd ? { wRounding: rd } : {});
    else Object.assign(o, fmt !== undefined ? { aFormat: fmt } : {}, cands ? { aCandidates: cands } : {}, rd ? { aRounding: rd } : {});
  };
  side('w', 'weight');
  side('a', 'activation');
  return Object.keys(o).length ? o : undefined;
}

export const evalCommand: CommandModule<object, Args> = {
  command: 'eval <ckpt>',
  describe: 'evaluate a checkpoint: float metrics; --rf8 runs every product through the bit-exact RF8 layer reference; --compress finds bits/param at an accuracy target',
  builder: (y) =>
    y
      .positional('ckpt', { type: 'string', demandOption: true, describe: 'checkpoint folder (from rf8 train / rf8 deepshape)' })
      .option('rf8', { type: 'boolean', default: false, describe: 'also run RF8 inference through layerForward (src/arith) and compare' })
      .option('rf8-weight-only', { type: 'boolean', default: false, describe: "the authors' RF8 at inference: every parameter encoded in their residual RF8 (greedy rounding), float activations" })
      .option('weight-only-format', { type: 'string', describe: '--rf8-weight-only in another 8-bit format (its default rounding; e.g. rf8-e3m4, cb-b1-p0); default rf8' })
      .option('split', { type: 'string', choices: ['test', 'val'], default: 'test', describe: 'data split to report' })
      .option('limit', { type: 'number', describe: 'score only the first N images / windows (same items for float and RF8)' })
      .option('compress', { type: 'boolean', default: false, describe: 'uniform quantization + Exp-Golomb: bits/param at the coarsest step meeting --max-drop on validation' })
      .option('max-drop', { type: 'number', describe: 'allowed loss vs the float validation metric: accuracy points (mlp, default 0.5) or % bpc (lm, default 1)' })
      .option('step-mode', { type: 'string', choices: ['global', 'rms'], default: 'global', describe: 'one step for all tensors, or a step proportional to each tensor RMS' })
      .option('recalibrate', { type: 'boolean', default: false, describe: 'rebuild the RF8 codes and activation scales instead of using the checkpoint\'s' })
      .option('calib', { type: 'number', describe: 'calibration items when (re)building RF8 data' })
      .option('w-format', { type: 'string', describe: "--rf8 weight format: auto (default: the GG float mode of least error per tensor) or a format (rf8 = the authors' RF8, rf8-e3m4, int8, ...); rebuilds the RF8 data" })
      .option('a-format', { type: 'string', describe: '--rf8 activation format: auto (default) or a format (rf8-e3m4, int8, rf8, ...); rebuilds the RF8 data' })
      .option('w-rounding', { type: 'string', describe: "--rf8 weight rounding where the format offers it (rf8: greedy (default) or nearest)" })
      .option('a-rounding', { type: 'string', describe: '--rf8 activation rounding (input encodings and hidden-layer output conversions; rf8: greedy or nearest)' })
      .option('w-modes', { type: 'string', describe: "--w-format auto: candidate formats (default gg-modes; e.g. gg-modes,rf8)" })
      .option('a-modes', { type: 'string', describe: '--a-format auto: candidate formats (default gg-modes)' })
      .option('plot', { type: 'string', describe: 'folder for SVGs: rate-accuracy curve (with --compress) and weight histograms' }) as never,
  handler: async (args) => {
    requirePeers('tfjs', 'rf8 eval');
    const rf8Opts = await rf8OptionsOf(args);
    if (rf8Opts && !args.rf8) throw new InputError('--w-format / --a-format / --w-rounding / --a-rounding / --w-modes / --a-modes choose the --rf8 formats: add --rf8');
    if (args['weight-only-format'] !== undefined && !args['rf8-weight-only']) throw new InputError('--weight-only-format chooses the --rf8-weight-only format: add --rf8-weight-only');
    const { loadCheckpoint } = await import('../../nn/checkpoint.js');
    const { taskFor, floatEval, rf8Eval, buildPack, evalItems, compressAtTarget } = await import('../../nn/evaluate.js');
    const ck = loadCheckpoint(args.ckpt);
    const task = taskFor(ck.sidecar.model);
    const split = args.split as 'test' | 'val';
    const limit = args.limit !== undefined ? parseIntStrict(args.limit, '--limit', 1, 1e9) : undefined;
    const metric = task.metric;
    const maxDrop = args['max-drop'] !== undefined ? Number(args['max-drop']) : metric === 'acc' ? 0.5 : 1;
    if (!(maxDrop >= 0)) throw new InputError(`--max-drop must be >= 0, got ${String(args['max-drop'])}`);
    const fmt = (e: { acc?: number; bpc?: number }) => (metric === 'acc' ? `${(e.acc! * 100).toFixed(2)}%` : `${e.bpc!.toFixed(4)} bpc`);
    const out: Record<string, unknown> = { checkpoint: ck.dir, model: ck.sidecar.model, split };

    const float = await floatEval(task, ck.values, split, limit);
    out.float = float;
    const lines = [`${task.describe()}`, `float  ${split}: ${fmt(float)}  (loss ${float.loss.toFixed(4)} nats, ${float.n} ${metric === 'acc' ? 'images' : 'characters'})`];

    if (args.rf8) {
      let pack = ck.pack;
      if (!pack || args.recalibrate || rf8Opts) {
        log(rf8Opts ? 'building RF8 data with the chosen formats ...' : pack ? 'recalibrating RF8 ...' : 'checkpoint has no RF8 data: calibrating ...');
        pack = buildPack(task, ck.values, args.calib !== undefined ? parseIntStrict(args.calib, '--calib', 1, 1e6) : undefined, rf8Opts);
      }
      const total = evalItems(task, split, limit);
      const bar = progress('rf8 eval', total);
      const r = rf8Eval(task, ck.values, pack, split, limit, (i) => bar.update(i + 1));
      bar.stop();
      const delta = metric === 'acc' ? (r.acc! - float.acc!) * 100 : ((r.bpc! - float.bpc!) / float.bpc!) * 100;
      out.rf8 = {
        ...r,
        delta,
        deltaUnit: metric === 'acc' ? 'accuracy points' : '% of float bpc',
        options: rf8Opts ?? {},
        formats: Object.fromEntries(Object.entries(pack.weights).map(([k, w]) => [k, w.format])),
        weights: Object.fromEntries(Object.entries(pack.weights).map(([k, w]) => [k, { format: w.format, ...(w.rounding ? { rounding: w.rounding } : {}), sqnrDb: w.sqnrDb }])),
        acts: pack.acts,
      };
      const wf = [...new Set(Object.values(pack.weights).map((w) => w.format))].join('/');
      const af = [...new Set(Object.values(pack.acts).map((a) => a.format))].join('/');
      lines.push(
        `8-bit  ${split}: weights ${wf} x activations ${af}`,
        `rf8    ${split}: ${fmt(r)}  (loss ${r.loss.toFixed(4)} nats; ${metric === 'acc' ? `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} points` : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}% bpc`} vs float)`,
        `       ${r.counters.calls} layerForward calls, ${(r.counters.macs / 1e6).toFixed(1)} M MACs in ${(r.ms / 1000).toFixed(1)} s; accumulator clamps ${r.counters.ovf}, NaN outputs ${r.counters.nan}`,
      );
    }

    if (args['rf8-weight-only']) {
      const { rf8WeightOnly, haveAuthorsRf8 } = await import('../../nn/rf8-weight-only.js');
      if (!haveAuthorsRf8()) throw new InputError("--rf8-weight-only needs the authors' RF8 format 'rf8' in src/format (not in this build)");
      const { getFormat } = await import('../../format/index.js');
      const wfo = getFormat(args['weight-only-format'] ?? 'rf8');
      const wo = rf8WeightOnly(task.specs, ck.values, 'format', wfo.name);
      const r = await floatEval(task, wo.values, split, limit);
      const delta = metric === 'acc' ? (r.acc! - float.acc!) * 100 : ((r.bpc! - float.bpc!) / float.bpc!) * 100;
      out.rf8WeightOnly = { ...r, delta, format: wfo.name, rounding: wfo.policy.defaultRounding, tensors: wo.tensors };
      lines.push(`weight-only (${wfo.name}, ${wfo.policy.defaultRounding}, amax scale per tensor, float activations) ${split}: ${fmt(r)}  (${metric === 'acc' ? `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} points` : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)}% bpc`} vs float)`);
    }

    if (args.compress) {
      const rv = await floatEval(task, ck.values, 'val', limit);
      const refVal = metric === 'acc' ? rv.acc! : rv.bpc!;
      log('sweeping quantization steps ...');
      const c = await compressAtTarget(task, ck.values, { refVal, maxDrop, mode: args['step-mode'] as 'global' | 'rms', testAll: !!args.plot, ...(limit !== undefined ? { evalLimit: limit } : {}) });
      out.compress = { refVal, maxDrop, ...c };
      if (c.chosen) {
        const ch = c.chosen;
        lines.push(
          `compress (${c.mode} step, target val ${metric === 'acc' ? `>= ${(c.target * 100).toFixed(2)}%` : `<= ${c.target.toFixed(4)} bpc`}): step ${ch.step.toPrecision(4)}`,
          `       ${ch.bitsPerParam.toFixed(3)} bits/param (exact Exp-Golomb incl. side info; ${(32 / ch.bitsPerParam).toFixed(1)}x smaller than fp32), ${(ch.zeroFrac * 100).toFixed(1)}% zeros, entropy ${ch.entropyBitsPerParam.toFixed(3)} b/p`,
          `       val ${metric === 'acc' ? `${(ch.val * 100).toFixed(2)}%` : ch.val.toFixed(4)}  test ${metric === 'acc' ? `${(ch.test! * 100).toFixed(2)}%` : ch.test!.toFixed(4)}`,
          table(['tensor', 'n', 'EG order', 'bits', 'bits/param', 'zeros %'], ch.result.tensors.map((t) => [t.name, t.n, t.order, t.bits, (t.bits / t.n).toFixed(3), ((t.zeros / t.n) * 100).toFixed(1)])),
        );
      } else lines.push('compress: no step in the sweep met the target');
    }

    if (args.plot !== undefined) {
      const dir = args.plot || ck.dir;
      const { plotRateMetric, plotWeightHistograms } = await import('../../nn/plots.js');
      const files = await plotWeightHistograms(dir, task.specs, ck.values);
      const comp = out.compress as { sweep?: import('../../nn/compress.js').SweepPoint[] } | undefined;
      if (comp?.sweep) {
        const p = join(dir, 'rate-accuracy.svg');
        await plotRateMetric(p, [{ name: 'checkpoint', points: comp.sweep }], metric);
        files.push(p);
      }
      out.plots = files;
      lines.push(`wrote ${files.length} SVG files into ${dir}`);
    }
    emit(args, out, () => lines.join('\n'));
  },
};
