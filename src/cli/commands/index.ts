import type { CommandModule } from 'yargs';

// One file per command. Add a command: import it here and append it to the list.
export const commands: CommandModule<any, any>[] = [
];
