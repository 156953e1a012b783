import type { CommandModule } from 'yargs';
import { tableCommand } from './table.js';
import { encodeCommand } from './encode.js';
import { decodeCommand } from './decode.js';
import { macCommand } from './mac.js';

// One file per command. Add a command: import it here and append it to the list.
export const commands: CommandModule<any, any>[] = [
  tableCommand,
  encodeCommand,
  decodeCommand,
  macCommand,
];
