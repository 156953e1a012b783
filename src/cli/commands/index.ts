import type { CommandModule } from 'yargs';
import { tableCommand } from './table.js';
import { encodeCommand } from './encode.js';
import { decodeCommand } from './decode.js';
import { macCommand } from './mac.js';
import { demoCommand } from './demo.js';
import { estimateCommand } from './estimate.js';
import { fitCommand } from './fit.js';
import { quantizeCommand } from './quantize.js';
import { sweepCommand } from './sweep.js';
import { goldenCommand } from './golden.js';
import { rtlCommand } from './rtl.js';
import { cosimCommand } from './cosim.js';
import { trainCommand } from './train.js';
import { deepshapeCommand } from './deepshape.js';
import { evalCommand } from './eval.js';
import { genCommand } from './gen.js';
import { verifyCommand } from './verify.js';
import { dpiCommand } from './dpi.js';
import { mutateCommand } from './mutate.js';
import { proveCommand } from './prove.js';
import { codebookCommand } from './codebook.js';

// One file per command. Add a command: import it here and append it to the list.
export const commands: CommandModule<any, any>[] = [
  tableCommand,
  encodeCommand,
  decodeCommand,
  macCommand,
  demoCommand,
  estimateCommand,
  fitCommand,
  quantizeCommand,
  sweepCommand,
  goldenCommand,
  rtlCommand,
  cosimCommand,
  trainCommand,
  deepshapeCommand,
  evalCommand,
  genCommand,
  verifyCommand,
  dpiCommand,
  mutateCommand,
  proveCommand,
  codebookCommand,
];
