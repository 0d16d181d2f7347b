/**
 * Command-line flags declared once, in a table: each entry says how the flag is written, what `--help` says
 * about it and how its text becomes a value. `util.parseArgs`'s options, the conversion with its checks and
 * the help lines are all made from that table, so they cannot drift apart.
 */
import { parseArgs } from 'node:util';

/** A command-line mistake: printed with the usage to stderr, exit status 2 (as argparse). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What `util.parseArgs` hands over for one flag: its text, every text of a repeatable one, or a switch. */
type Given = string | string[] | boolean | undefined;

/** One flag. Make it with `toggle`, `option` or `repeatable`. */
export interface Flag<T> {
  readonly short?: string;
  /** The value's name in the help (`--bind ADDRESS`); absent for a switch. */
  readonly value?: string;
  readonly multiple: boolean;
  readonly help: string;
  /** The value from what the command line gave; throws UsageError (without the flag's name) for bad text. */
  convert(given: Given): T;
}

/** Flags by long name (`'no-listing'`), in the order the help lists them. */
export type FlagTable = Record<string, Flag<unknown>>;

/** The converted values of a table, by long name. */
export type FlagValues<F extends FlagTable> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

/** A switch: true when given. */
export function toggle(spec: { short?: string; help: string }): Flag<boolean> {
  return { ...spec, multiple: false, convert: (given) => given === true };
}

/** A flag with one value: `parse` turns the text into the value (and refuses bad text); `default` when absent. */
export function option<T>(spec: {
  short?: string;
  value: string;
  help: string;
  default: T;
  parse: (text: string) => T;
}): Flag<T> {
  const { parse, default: fallback, ...shape } = spec;
  return {
    ...shape,
    multiple: false,
    convert: (given) => (given === undefined ? fallback : parse(given as string)),
  };
}

/** A flag that may be given again and again: `parse` gets every text, in order (none when absent). */
export function repeatable<T>(spec: {
  short?: string;
  value: string;
  help: string;
  parse: (texts: string[]) => T;
}): Flag<T> {
  const { parse, ...shape } = spec;
  return { ...shape, multiple: true, convert: (given) => parse((given as string[] | undefined) ?? []) };
}

/** An optional positional argument (argparse's `nargs='?'`), the only one of its command. */
export interface Positional<T> {
  readonly name: string;
  readonly help: string;
  /** The value from the positional arguments given: `default` when there is none; more than one is a mistake. */
  read(positionals: string[]): T;
}

/** A positional argument: `parse` turns the text into the value (and refuses bad text); `default` when absent. */
export function positional<T>(spec: {
  name: string;
  help: string;
  default: T;
  parse: (text: string) => T;
}): Positional<T> {
  const { name, help } = spec;
  return {
    name,
    help,
    read: (positionals) => {
      if (positionals.length > 1)
        throw new UsageError(`unrecognized arguments: ${positionals.slice(1).join(' ')}`);
      return positionals[0] === undefined ? spec.default : named(name, () => spec.parse(positionals[0]!));
    },
  };
}

/** Runs `convert`, naming the argument in the UsageError it throws, as argparse: `argument --cache: …`. */
function named<T>(argument: string, convert: () => T): T {
  try {
    return convert();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`argument ${argument}: ${err.message}`);
  }
}

/** How argparse names a flag in an error: `-p/--protocol`, `--cache`. */
function argumentName(name: string, flag: Flag<unknown>): string {
  return flag.short === undefined ? `--${name}` : `-${flag.short}/--${name}`;
}

/**
 * Reads `argv` against the table: 'help' or 'version' when the table's `help` or `version` switch is given
 * (nothing else is converted then, as argparse's actions that exit), else every flag's value and the
 * positional arguments. Throws UsageError for an unknown flag, a missing value or a value its flag refuses
 * (`argument --cache: expected seconds, got 'x'`).
 */
export function readFlags<F extends FlagTable>(
  table: F,
  argv: string[],
): { values: FlagValues<F>; positionals: string[] } | 'help' | 'version' {
  const options = Object.fromEntries(
    Object.entries(table).map(([name, flag]) => [
      name,
      {
        type: flag.value === undefined ? ('boolean' as const) : ('string' as const),
        multiple: flag.multiple,
        ...(flag.short === undefined ? {} : { short: flag.short }),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const given = parsed.values as Record<string, Given>;
  if (given['help'] === true) return 'help';
  if (given['version'] === true) return 'version';
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(table)) {
    values[name] = named(argumentName(name, flag), () => flag.convert(given[name]));
  }
  return { values: values as FlagValues<F>, positionals: parsed.positionals };
}

/** How the help and docs/static-files.md write a flag: `-b, --bind ADDRESS`, `--cors`. */
export function flagLabel(name: string, flag: Flag<unknown>): string {
  const long = flag.value === undefined ? `--${name}` : `--${name} ${flag.value}`;
  return flag.short === undefined ? long : `-${flag.short}, ${long}`;
}

/** One line of the help: the label, then the text in a column (two spaces at least), as argparse. */
export function helpLine(label: string, text: string, width: number): string {
  return `  ${label.padEnd(width)}  ${text}`;
}
