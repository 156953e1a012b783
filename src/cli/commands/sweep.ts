import type { CommandModule } from 'yargs';
import cliProgress from 'cli-progress';
import { CODEBOOK_NAMES, CORE_FORMAT_NAMES, GG_MODES, ROUNDINGS, getFormat, type FormatName, type Rounding } from '../../format/index.js';
import { runSqnrSweep, SCALE_METHODS, type ScaleMethod, type SqnrColumn, type SqnrFormatRow, type SqnrSweepResult, type SqnrSweepRow } from '../../quant/index.js';
import { InputError } from '../../util/errors.js';
import { lineChart, writeSvg } from '../../util/plot.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';
import { requirePeers } from '../../util/peer.js';

interface Args extends CommonArgs {
  beta: string;
  n: number;
  seed: number;
  repeats: number;
  alpha: string;
  formats?: string;
  roundings: string;
  codebooks: boolean;
  plot?: string;
}

/** Parse a comma list of numbers ("0.5,1,2"). */
export function parseNumberList(s: string, what: string): number[] {
  const parts = String(s)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw new InputError(`${what}: empty list`);
  return parts.map((p) => {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(p)) throw new InputError(`${what}: not a number: '${p}'`);
    return Number(p);
  });
}

const SHORT: Partial<Record<FormatName, string>> = {
  int8: 'INT8',
  'ocp-e4m3': 'OCP E4M3',
  'ocp-e5m2': 'E5M2',
  'rf8-e3m4': 'GG e3m4',
  'rf8-e2m5': 'GG e2m5',
  'rf8-e4m3': 'GG e4m3',
  rf8: 'rf8',
};

/** Column order of the table in docs/rf8-spec.md, then the third GG float mode, then the authors' rf8. */
export const SWEEP_ORDER: FormatName[] = ['int8', 'ocp-e4m3', 'ocp-e5m2', 'rf8-e3m4', 'rf8-e2m5', 'rf8-e4m3', 'rf8'];

/** A column's header: the format, and its rounding when the sweep has more than one column of that format. */
export function columnLabel(res: Pick<SqnrSweepResult, 'columns'>, c: SqnrColumn): string {
  const several = res.columns.filter((x) => x.format === c.format).length > 1;
  const name = SHORT[c.format] ?? c.format;
  return several ? `${name} ${c.rounding}` : name;
}

/** The row of one column. */
export function columnRow(r: SqnrSweepRow, c: SqnrColumn): SqnrFormatRow {
  return (c.key === c.format ? r.formats[c.format] : r.variants[c.key])!;
}

const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : String(v));
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : String(v));

function cellText(c: { sqnrDb: number; min: number; max: number }, repeats: number): string {
  return repeats > 1 ? `${f1(c.sqnrDb)} [${f1(c.min)}..${f1(c.max)}]` : f1(c.sqnrDb);
}

export function sweepText(res: SqnrSweepResult): string {
  const { methods, repeats } = res;
  // the GG codebooks appear as summary columns (best, auto); each one's cells are in --json
  const columns = res.columns.filter((c) => !getFormat(c.format).codebook);
  const heads = columns.map((c) => columnLabel(res, c));
  const cb = res.rows.some((r) => r.codebook);
  const out: string[] = [];
  out.push(
    `# SQNR (dB), ${res.n} samples of GG(alpha=${res.alphaConvention === 'unit' ? '1' : 'unit variance'}, beta) per beta, seed ${res.seed}` +
      (repeats > 1 ? `, mean [min..max] over ${repeats} seeds` : '') +
      ', best power-of-two scale',
  );
  out.push(
    table(
      ['beta', ...heads, 'auto (gg)', ...(cb ? ['best codebook', 'codebook auto (gg)', 'LM - best cb'] : []), 'Lloyd-Max', 'Panter-Dite', 'LM - auto'],
      res.rows.map((r) => [
        r.beta,
        ...columns.map((c) => cellText(columnRow(r, c).best, repeats)),
        r.auto.gg ? `${f1(r.auto.gg.sqnrDb)} (${r.auto.gg.format.slice(4)})` : '-',
        ...(cb
          ? [
              r.codebook ? `${f1(r.codebook.best.sqnrDb)} (${r.codebook.best.format})` : '-',
              r.codebook?.gg ? `${f1(r.codebook.gg.sqnrDb)} (${r.codebook.gg.format})` : '-',
              r.codebook ? `${f2(r.codebook.best.gapDb)} (law ${f2(r.codebook.best.lawGapDb)})` : '-',
            ]
          : []),
        f2(r.lloydMaxDb),
        f2(r.panterDiteDb),
        r.auto.gg ? f2(r.lloydMaxDb - r.auto.gg.sqnrDb) : '-',
      ]),
    ),
  );
  for (const m of methods) {
    out.push('');
    out.push(`# scale method ${m}: SQNR dB (X chosen)`);
    out.push(
      table(
        ['beta', ...heads, 'auto'],
        res.rows.map((r) => [
          r.beta,
          ...columns.map((col) => {
            const c = columnRow(r, col).methods[m]!;
            return `${cellText(c, repeats)} (${c.X})`;
          }),
          r.auto[m] ? `${f1(r.auto[m]!.sqnrDb)} ${r.auto[m]!.format}` : '-',
        ]),
      ),
    );
  }
  out.push('');
  out.push('# expected SQNR under the exact law at its best scale (no sampling noise)');
  out.push(table(['beta', ...heads], res.rows.map((r) => [r.beta, ...columns.map((c) => f2(columnRow(r, c).lawDb))])));
  out.push('(auto: among the GG float modes rf8-e2m5 / e3m4 / e4m3; rf8: the authors\' residual RF8, greedy = their algorithm, nearest = rf8kit\'s nearest rounding in the same value set)');
  if (cb)
    out.push(
      '(best codebook: the best of the GG codebooks (docs/rf8-spec.md section 9) at its best scale; codebook auto: the one of least gg criterion at its gg scale; LM - best cb: its gap to Lloyd-Max on the samples and, noise free, of the best one under the exact law)',
    );
  if (methods.includes('gg') && methods.includes('mse')) {
    out.push('');
    out.push(
      '# scale selection time, all formats: ' +
        res.rows.map((r) => `beta ${r.beta}: gg ${r.timing.ggMs.toFixed(1)} ms (+ fit ${r.timing.fitMs.toFixed(0)} ms) vs mse ${r.timing.mseMs.toFixed(0)} ms`).join('; '),
    );
  }
  return out.join('\n');
}

export const sweepCommand: CommandModule<object, Args> = {
  command: 'sweep',
  describe: "SQNR of every 8-bit format (the authors' rf8 greedy and nearest, the GG float modes, the baselines) on seeded GG samples under amax/mse/gg scaling, next to the Lloyd-Max bound",
  builder: (y) =>
    y
      .option('beta', { type: 'string', default: '0.5,1,2', describe: 'comma-separated GG shapes' })
      .option('n', { type: 'number', default: 200000, describe: 'samples per beta' })
      .option('seed', { type: 'number', default: 1, describe: 'seed (repeat r uses seed + r)' })
      .option('repeats', { type: 'number', default: 1, describe: 'independent sample sets per beta (mean and range)' })
      .option('alpha', { type: 'string', choices: ['unit', 'unit-variance'], default: 'unit', describe: 'GG scale: alpha = 1, or unit variance' })
      .option('formats', { type: 'string', describe: `comma-separated formats (default: ${CORE_FORMAT_NAMES.join(', ')}; GG codebooks when named or with --codebooks)` })
      .option('roundings', { type: 'string', default: 'nearest', describe: "extra roundings: one more column for each format that offers one (default nearest: rf8 nearest beside rf8 greedy); 'none' for none" })
      .option('codebooks', { type: 'boolean', default: false, describe: `also the ${CODEBOOK_NAMES.length} GG codebooks (spec section 9): columns best codebook, codebook auto (gg), LM - best cb (each codebook's cells in --json)` })
      .option('plot', { type: 'string', describe: 'write an SVG chart (SQNR vs beta per format, the Lloyd-Max bound dashed)' }) as never,
  handler: async (args) => {
    if (args.plot !== undefined) requirePeers('vega', 'rf8 sweep --plot');
    const betas = parseNumberList(args.beta, '--beta');
    const n = parseIntStrict(args.n, '--n', 1, 50_000_000);
    const seed = parseIntStrict(args.seed, '--seed', 0, 2 ** 32 - 1);
    const repeats = parseIntStrict(args.repeats, '--repeats', 1, 1000);
    const asked = args.formats ? new Set(args.formats.split(',').map((s) => getFormat(s.trim()).name)) : new Set(CORE_FORMAT_NAMES);
    const formats = [...SWEEP_ORDER.filter((f) => asked.has(f)), ...CODEBOOK_NAMES.filter((f) => asked.has(f) || args.codebooks)];
    const rtext = String(args.roundings).trim();
    const roundings: Rounding[] = [];
    if (rtext !== 'none') {
      for (const r of rtext.split(',').map((x) => x.trim()).filter((x) => x.length)) {
        if (r === 'sr' || !(ROUNDINGS as readonly string[]).includes(r)) throw new InputError(`--roundings: '${r}' is not one of ${ROUNDINGS.filter((x) => x !== 'sr').join(', ')} (or none)`);
        roundings.push(r as Rounding);
      }
    }
    const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'sweep [{bar}] {value}/{total}', clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
    bar?.start(betas.length * repeats, 0);
    let res: SqnrSweepResult;
    try {
      res = runSqnrSweep({
        betas,
        n,
        seed,
        repeats,
        alpha: args.alpha as 'unit' | 'unit-variance',
        formats,
        roundings,
        methods: [...SCALE_METHODS] as ScaleMethod[],
        onProgress: (d) => bar?.update(d),
      });
    } finally {
      bar?.stop();
    }
    if (args.plot) {
      const xs = res.rows.map((r) => r.beta);
      const series = res.columns.filter((c) => !getFormat(c.format).codebook).map((c) => ({ name: columnLabel(res, c), x: xs, y: res.rows.map((r) => columnRow(r, c).best.sqnrDb) }));
      if (GG_MODES.every((m) => formats.includes(m))) series.push({ name: 'auto (gg)', x: xs, y: res.rows.map((r) => r.auto.gg?.sqnrDb ?? NaN) });
      if (res.rows.some((r) => r.codebook)) series.push({ name: 'best codebook', x: xs, y: res.rows.map((r) => r.codebook?.best.sqnrDb ?? NaN) });
      const spec = lineChart({
        title: `SQNR vs GG shape (${res.n} samples, best power-of-two scale)`,
        x: { title: 'GG shape beta', log: xs.length > 1 && Math.max(...xs) / Math.min(...xs) > 4, domain: [Math.min(...xs), Math.max(...xs)] },
        y: { title: 'SQNR (dB)' },
        series: [
          ...series,
          { name: 'Lloyd-Max bound (256 levels)', x: xs, y: res.rows.map((r) => r.lloydMaxDb), dashed: true },
        ],
        points: true,
      });
      await writeSvg(args.plot, spec);
      log(`wrote ${args.plot}`);
    }
    emit(args, res, () => sweepText(res));
  },
};
