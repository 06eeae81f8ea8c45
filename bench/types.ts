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
