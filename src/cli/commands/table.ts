import type { CommandModule } from 'yargs';
import { formatListText, FORMAT_ALIASES, decode, finfo, getFormat } from '../../format/index.js';
import { emit, table, type CommonArgs } from '../common.js';
import { exactDecimal, hex2 } from '../exact.js';

interface Args extends CommonArgs {
  format: string;
}

export const tableCommand: CommandModule<object, Args> = {
  command: 'table',
  describe: 'list all 256 codes of a format (kind, sign, k, t, exact value) and its finfo limits',
  builder: (y) =>
    y.option('format', { alias: 'f', type: 'string', default: 'rf8-e3m4', describe: `element format (${formatListText()}; rf8 is the authors' RF8; or ${Object.keys(FORMAT_ALIASES).filter((a) => !a.includes('.')).join(', ')})` }) as never,
  handler: (args) => {
    const f = getFormat(args.format);
    const fi = finfo(f);
    const rows: { code: number; hex: string; kind: string; sign: number; k: number | null; t: number | null; value: string }[] = [];
    for (let c = 0; c < 256; c++) {
      const d = decode(f, c);
      const finite = d.kind !== 'nan' && d.kind !== 'inf';
      const value = finite ? exactDecimal(d.sign ? -d.k : d.k, d.t) : d.kind === 'nan' ? 'NaN' : d.sign ? '-Inf' : 'Inf';
      rows.push({ code: c, hex: hex2(c), kind: d.kind, sign: d.sign, k: finite ? d.k : null, t: finite ? d.t : null, value });
    }
    emit(
      args,
      { format: f.name, e: f.e, m: f.m, bias: f.bias, specials: f.specials, decoder: f.policy.decoder, ...(f.kTable ? { kTable: f.kTable } : {}), ...(f.codebook ? { codebook: { beta: f.codebook.beta, K: f.codebook.K } } : {}), tmin: f.tmin, maxFinite: f.maxFinite, finfo: fi, codes: rows },
      () =>
        `# ${f.name}: e=${f.e} m=${f.m} bias=${f.bias} specials=${f.specials}${f.kTable ? ` decoder=${f.policy.decoder} k(R)=${f.kTable.join(',')}` : ''}${f.codebook ? ` decoder=${f.policy.decoder} (GG codebook for beta ${f.codebook.beta}, K ${f.codebook.K})` : ''} tmin=${f.tmin} maxfinite=${f.maxFinite}\n` +
        `# finfo: eps=${fi.eps} epsneg=${fi.epsneg} max=${fi.max} min=${fi.min} smallest_normal=${fi.smallestNormal} smallest_subnormal=${fi.smallestSubnormal} ` +
        `minexp=${fi.minexp} maxexp=${fi.maxexp}${fi.aliases.length ? ` aliases=${fi.aliases.join(',')}` : ''}\n` +
        table(
          ['code', 'kind', 's', 'k', 't', 'value'],
          rows.map((r) => [r.hex, r.kind, r.sign, r.k ?? '-', r.t ?? '-', r.value]),
        ),
    );
  },
};
