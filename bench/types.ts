export interface BenchOptions {
  /** Fewer iterations, for a smoke run. */
  readonly quick: boolean;
  /** Progress lines while the benchmark runs. */
  readonly log: (line: string) => void;
}

export interface BenchResult {
  readonly name: string;
  /** The figures, ready to print. */
  readonly lines: readonly string[];
  readonly targetsMet: boolean;
}

/**
 * Runs one benchmark file on its own (`npx tsx bench/<name>.bench.ts [--quick]`), outside
 * `npm run bench`: prints its figures, exit code 1 when a target is missed or it fails.
 */
export function runStandalone(name: string, run: (options: BenchOptions) => Promise<BenchResult>): void {
  run({ quick: process.argv.includes('--quick'), log: (l) => console.log(l) }).then(
    (r) => {
      console.log(r.lines.join('\n'));
      process.exitCode = r.targetsMet ? 0 : 1;
    },
    (err: unknown) => {
      console.error(`${name} bench failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
