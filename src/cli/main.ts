import yargs from 'yargs';
import type { Argv, CommandModule } from 'yargs';
import { commands } from './commands/index.js';
import { InputError, CheckFailed } from '../util/errors.js';
import { PEER_GROUPS, installCommand, type PeerGroup } from '../util/peer.js';
import { numberOption, protectValues, stringOption, unmark, wantsJson, jsonReplacer, jsonEmitted } from './common.js';

/**
 * The `rf8` command line. Each command lives in its own file under ./commands and is listed in
 * ./commands/index.ts. Exit codes: 0 success, 1 a check failed, 2 bad usage or bad input.
 *
 * Standard conventions for every command (docs/cli.md): `--` ends the options; negative
 * numbers in any notation (-1e-9, -1e400, -inf, -nan, -0x10) are values, not flags; every
 * number option is read strictly and its error echoes the text typed; an option with no value
 * is an error, never its default; with --json an error is also one JSON object on stdout.
 */
export async function main(argv: string[]): Promise<void> {
  let parser = yargs(protectValues(argv))
    .scriptName('rf8')
    .usage('$0 <command> [options]\n\nrf8kit: RF8 8-bit floats for generalized-Gaussian weights.')
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
    .parserConfiguration({ 'duplicate-arguments-array': true, 'strip-aliased': false })
    .middleware((a) => {
      for (const k of Object.keys(a)) if (k !== '$0') (a as Record<string, unknown>)[k] = unmark((a as Record<string, unknown>)[k]);
    }, true)
    .strict()
    .demandCommand(1, 'name a command (rf8 --help lists them)')
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(usageMessage(msg ?? 'bad usage'));
    });
  for (const c of commands) parser = parser.command(strictCommand(c) as never);
  try {
    await parser.parseAsync();
  } catch (e) {
    const err = peerMissing(e) ?? e;
    const code = exitCodeFor(err);
    process.exitCode = code;
    const msg = usageMessage(firstLine(unmark(err instanceof Error ? err.message : String(err))));
    // --json: one document on stdout. A failed check (exit 1) has printed its report, which says
    // what failed; only an error before any report is printed as the JSON error object.
    if (wantsJson(argv) && !jsonEmitted) process.stdout.write(JSON.stringify({ error: { exitCode: code, kind: code === 2 ? 'InputError' : err instanceof Error ? err.name : 'Error', message: msg } }, jsonReplacer) + '\n');
    process.stderr.write(`rf8: ${msg}\n`);
    if (process.env.RF8_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  }
}

/** yargs' own messages, in the `--option: problem` shape of the rest. */
function usageMessage(msg: string): string {
  const m = /^Not enough arguments following: (.+)$/.exec(msg);
  if (m) return `${m[1]!.length === 1 ? '-' : '--'}${m[1]}: needs a value (none given)`;
  return unmark(msg);
}

/**
 * A command whose number options are read strictly (text -> number, or an InputError echoing
 * the text) and whose valued options require their value. The command files declare options as
 * usual; this wrapper applies the conventions to all of them.
 */
function strictCommand(c: CommandModule<any, any>): CommandModule<any, any> {
  const b = c.builder;
  if (typeof b !== 'function') return c;
  return { ...c, builder: ((y: Argv) => b(strictArgv(y) as never)) as never };
}

type Spec = Record<string, unknown>;

function strictSpec(name: string, spec: Spec | undefined): Spec | undefined {
  if (!spec) return spec;
  if (spec.type === 'number' && !spec.array && !spec.coerce) return { ...spec, type: 'string', requiresArg: true, coerce: numberOption(name) };
  if (spec.type === 'string' && !spec.array && !spec.coerce) return { ...spec, requiresArg: true, coerce: stringOption(name) };
  return spec;
}

function strictArgv(y: Argv): Argv {
  const proxy: Argv = new Proxy(y, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      if (prop === 'option' || prop === 'options') {
        return (name: string | Record<string, Spec>, spec?: Spec) => {
          if (typeof name === 'string') target.option(name, strictSpec(name, spec) as never);
          else for (const [k, s] of Object.entries(name)) target.option(k, strictSpec(k, s) as never);
          return proxy;
        };
      }
      return (...args: unknown[]) => {
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        return r === target ? proxy : r;
      };
    },
  });
  return proxy;
}

/** A missing optional peer package (import of tfjs, vega, ...) as the install-command InputError. */
function peerMissing(e: unknown): InputError | undefined {
  if (!(e instanceof Error) || ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' && (e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND')) return undefined;
  for (const [g, pkgs] of Object.entries(PEER_GROUPS) as [PeerGroup, readonly string[]][]) {
    const hit = pkgs.find((p) => e.message.includes(`'${p}'`) || e.message.includes(`"${p}"`));
    if (hit) return new InputError(`this command needs the optional package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(' and ')}, not installed: run \`${installCommand(g)}\``);
  }
  return undefined;
}

function exitCodeFor(e: unknown): number {
  if (e instanceof InputError) return 2;
  if (e instanceof Error && e.name === 'YError') return 2; // yargs usage errors (and option readers' InputErrors it wraps)
  if (e instanceof CheckFailed) return 1;
  if (e instanceof Error && (e as NodeJS.ErrnoException).code && typeof (e as NodeJS.ErrnoException).path === 'string') return 2;
  if (e instanceof RangeError || e instanceof SyntaxError) return 2;
  return 1;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}
