/** A tiny flag parser shared by bin/sim.ts and bin/rehearse.ts: `--name value`, `--name=value`, `--flag`. */
export interface ParsedArgs {
  readonly values: Map<string, string[]>;
  readonly flags: Set<string>;
}

export function parseArgs(
  argv: readonly string[],
  spec: { readonly values: readonly string[]; readonly flags: readonly string[] },
): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"; options start with --`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new Error(`--${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new Error(`--${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new Error(`unknown option --${name}; known: ${[...spec.values, ...spec.flags].map((n) => `--${n}`).join(', ')}`);
    }
  }
  return { values, flags };
}

export function last(args: ParsedArgs, name: string): string | undefined {
  const v = args.values.get(name);
  return v?.[v.length - 1];
}

/** A numeric option; throws a message naming the flag when it is not a number in range. */
export function numberArg(args: ParsedArgs, name: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  const raw = last(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new Error(
      `--${name} must be ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''} (got ${raw})`,
    );
  }
  return n;
}
