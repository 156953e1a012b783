import yargs from 'yargs';
import { commands } from './commands/index.js';
import { InputError, CheckFailed } from '../util/errors.js';

/**
 * The `rf8` command line. Each command lives in its own file under ./commands and is listed in
 * ./commands/index.ts. Exit codes: 0 success, 1 a check failed, 2 bad usage or bad input.
 */
export async function main(argv: string[]): Promise<void> {
  let parser = yargs(argv)
    .scriptName('rf8')
    .usage('$0 <command> [options]\n\nrf8kit: RF8 8-bit floats for generalized-Gaussian weights.')
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
    .strict()
    .demandCommand(1, 'name a command (rf8 --help lists them)')
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(msg ?? 'bad usage');
    });
  for (const c of commands) parser = parser.command(c as never);
  try {
    await parser.parseAsync();
  } catch (e) {
    process.exitCode = exitCodeFor(e);
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`rf8: ${firstLine(msg)}\n`);
    if (process.env.RF8_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  }
}

function exitCodeFor(e: unknown): number {
  if (e instanceof InputError) return 2;
  if (e instanceof CheckFailed) return 1;
  if (e instanceof Error && (e as NodeJS.ErrnoException).code && typeof (e as NodeJS.ErrnoException).path === 'string') return 2;
  if (e instanceof RangeError || e instanceof SyntaxError) return 2;
  return 1;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}
