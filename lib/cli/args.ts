/**
 * The one argument parser of the `bin/` commands: `--name value`, `--name=value`, boolean
 * `--flag`, a one-letter alias (`-h`), and positionals where a command takes them (`--` ends
 * the options). Every mistake is a UsageError naming the argument and what was expected.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** Keep every occurrence (a list); otherwise the last one wins. */
  readonly multiple?: boolean;
  /** One-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean : O['multiple'] extends true ? string[] : string;

/** Parsed options, absent when not given. */
export type OptionValues<S extends Readonly<Record<string, OptionSpec>>> = { -readonly [K in keyof S]?: ValueOf<S[K]> };

export interface ParsedArgs<S extends Readonly<Record<string, OptionSpec>>> {
  readonly values: OptionValues<S>;
  readonly positionals: string[];
}

export function parseArgs<const S extends Readonly<Record<string, OptionSpec>>>(
  argv: readonly string[],
  options: S,
  settings: { readonly positionals?: boolean } = {},
): ParsedArgs<S> {
  const values: Record<string, string | string[] | boolean> = {};
  const positionals: string[] = [];
  const accepted = (): string =>
    Object.entries(options)
      .map(([name, o]) => (o.short ? `--${name} (-${o.short})` : `--${name}`))
      .join(', ');
  const positional = (arg: string): void => {
    if (!settings.positionals) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; options start with --`);
    positionals.push(arg);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--' && settings.positionals) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    const long = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    const short = /^-([A-Za-z])$/.exec(arg);
    if (long) [, name, inline] = long;
    else if (short) {
      const found = Object.entries(options).find(([, o]) => o.short === short[1]);
      if (!found) throw new UsageError(`unknown option ${arg}; accepted: ${accepted()}`);
      name = found[0];
    } else {
      positional(arg);
      continue;
    }
    const spec = Object.hasOwn(options, name) ? options[name] : undefined;
    if (!spec) throw new UsageError(`unknown option --${name}; accepted: ${accepted()}`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    // A separate value that looks like an option is a forgotten value, not a value.
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return { values: values as OptionValues<S>, positionals };
}

/** A numeric option (absent: undefined); anything else than a number in range names the flag. */
export function numberOption(
  name: string,
  raw: string | undefined,
  limits: { readonly min?: number; readonly integer?: boolean } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || (limits.integer && !Number.isInteger(n)) || (limits.min !== undefined && n < limits.min)) {
    throw new UsageError(
      `--${name} must be ${limits.integer ? 'an integer' : 'a number'}${limits.min !== undefined ? ` >= ${limits.min}` : ''} (got ${JSON.stringify(raw)})`,
    );
  }
  return n;
}
