import type { CommandModule } from 'yargs';
import { writeDpi } from '../../verify-hw/dpi.js';
import { InputError } from '../../util/errors.js';
import { emit, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  out?: string;
}

export const dpiCommand: CommandModule<object, Args> = {
  command: 'dpi',
  describe: 'write the DPI-C reference model (rf8_ref.c, rf8_ref_pkg.sv, a test driver) generated from the TS reference, for SystemVerilog scoreboards',
  builder: (y) => y.option('out', { type: 'string', describe: 'output folder' }) as never,
  handler: async (args) => {
    if (!args.out) throw new InputError('dpi: --out DIR is required');
    const r = writeDpi(args.out);
    emit(args, r, () => `wrote ${r.files.join(', ')} (${r.formats.length} formats: ${r.formats.map((f, i) => `${i} ${f}`).join(', ')})`);
  },
};
