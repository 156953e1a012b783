import type { CommandModule } from 'yargs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../sim/paths.js';
import { CODEBOOK_FAMILY, CODEBOOK_TABLES_PATH, codebookTablesSource, makeCodebookEntry, makeCodebookFamily, type CodebookEntry } from '../../gg/codebook.js';
import { InputError, CheckFailed } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  beta?: number;
  K: number;
  phase: number;
  phases: number;
  family: boolean;
  out?: string;
  check: boolean;
}

/**
 * `rf8 codebook`: make GG codebooks (docs/rf8-spec.md section 9) by the exact-grid DP. `--family`
 * makes the committed family; `--out` writes the data file (deterministic bytes); `--check`
 * compares the result with the committed file (exit 1 if it differs).
 */
export const codebookCommand: CommandModule<object, Args> = {
  command: 'codebook',
  describe: 'make GG codebooks: constrained Lloyd-Max on the K-bit dyadic grid (exact DP); --family regenerates src/format/codebook-tables.ts',
  builder: (y) =>
    y
      .option('beta', { type: 'number', describe: 'GG shape (one codebook)' })
      .option('K', { type: 'number', default: CODEBOOK_FAMILY.K, describe: 'significand bits (k < 2^K)' })
      .option('phase', { type: 'number', default: 0, describe: 'made for alpha = 2^(phase/phases)' })
      .option('phases', { type: 'number', default: CODEBOOK_FAMILY.phases, describe: 'phases per octave' })
      .option('family', { type: 'boolean', default: false, describe: `the committed family (K ${CODEBOOK_FAMILY.K}, beta ${CODEBOOK_FAMILY.betas.join(',')}, ${CODEBOOK_FAMILY.phases} phases)` })
      .option('out', { type: 'string', describe: 'write the data file here (atomically)' })
      .option('check', { type: 'boolean', default: false, describe: `with --family: compare with ${CODEBOOK_TABLES_PATH} (exit 1 if it differs)` }) as never,
  handler: (args) => {
    let entries: CodebookEntry[];
    if (args.family) {
      if (args.beta !== undefined) throw new InputError('--beta and --family exclude each other');
      entries = makeCodebookFamily((d, t) => log(`codebook ${d}/${t}`));
    } else {
      if (args.beta === undefined) throw new InputError('name --beta (one codebook) or --family');
      if (!(args.beta >= 0.1 && args.beta <= 10)) throw new InputError(`--beta must be in [0.1, 10]: ${args.beta}`);
      const K = parseIntStrict(args.K, '--K', 5, 10);
      const phases = parseIntStrict(args.phases, '--phases', 1, 16);
      const phase = parseIntStrict(args.phase, '--phase', 0, phases - 1);
      entries = [makeCodebookEntry(args.beta, phase, K, phases)];
    }
    const src = codebookTablesSource(entries);
    if (args.check) {
      if (!args.family) throw new InputError('--check needs --family');
      const path = join(packageRoot(), CODEBOOK_TABLES_PATH);
      if (!existsSync(path)) throw new InputError(`--check: ${path} is not there (a source checkout has it)`);
      const old = readFileSync(path, 'utf8');
      if (old !== src) throw new CheckFailed(`${CODEBOOK_TABLES_PATH} differs from the regenerated family`);
      log(`${CODEBOOK_TABLES_PATH}: identical`);
    }
    if (args.out) {
      writeFileAtomic(args.out, src);
      log(`wrote ${args.out}`);
    }
    emit(args, { entries }, () =>
      table(
        ['name', 'beta', 'phase', 'K', 'tmin', 'shMax', 'max', 'SQNR dB', 'Lloyd-Max dB', 'gap dB'],
        entries.map((e) => [e.name, e.beta, e.phase, e.K, e.tmin, Math.max(...e.sh), e.k[126]! * 2 ** (e.sh[126]! + e.tmin), e.sqnrDb.toFixed(3), e.lloydMaxDb.toFixed(3), (e.lloydMaxDb - e.sqnrDb).toFixed(3)]),
      ),
    );
  },
};
