/** Tiny argument parser shared by bin/budget.ts and bin/limits-fetch.ts (`--flag`, `--opt value`, `--opt=value`). */
export interface ParsedArgs {
  readonly options: Readonly<Record<string, string[]>>;
  readonly flags: ReadonlySet<string>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `spec` lists the accepted names: `true` for options taking a value, `false` for flags.
 * Unknown names and missing values are UsageErrors naming the argument.
 */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, boolean>>): ParsedArgs {
  const options: Record<string, string[]> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [, name, inline] = m;
    if (!(name in spec))
      throw new UsageError(
        `unknown option --${name}; accepted: ${Object.keys(spec)
          .map((n) => `--${n}`)
          .join(', ')}`,
      );
    if (!spec[name]) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    (options[name] ??= []).push(value);
  }
  return { options, flags };
}
