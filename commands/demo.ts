/**
 * `npm run demo`: the report of the bundled sample results (examples/results/, written by
 * scripts/sample-results.ts) compared with their baseline, without AWS or JMeter.
 */
import * as path from 'node:path';
import { parseArgs } from '../lib/cli';
import { runReport, type ReportIo } from './report';

export const DEMO_USAGE = 'usage: npm run demo [-- --out <dir>]';

export const DEMO_HELP = `${DEMO_USAGE}

Writes the report of the bundled sample results (examples/results/current, a six-minute run of
the example environment's bot-analytics scenario: ramp-up, then 429s for the last two minutes)
compared with an earlier run (examples/results/baseline): report.html, report.json, junit.xml
and comparison.md, priced with the example environment (the actual AWS cost beside the
estimate). Offline: no AWS, no JMeter. The same as
npm run report -- examples/results/current --baseline examples/results/baseline --env example --out build/demo

  --out <dir>   where to write the files (default build/demo)
  --help        print this and exit

Exit codes: 0 written and the sample passed its thresholds; 1 it failed them; 2 bad arguments.`;

export const DEMO_OPTIONS = {
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function runDemo(argv: readonly string[], io: ReportIo, root: string): Promise<number> {
  const { values } = parseArgs(argv, DEMO_OPTIONS);
  if (values.help) {
    io.log(DEMO_HELP);
    return Promise.resolve(0);
  }
  const results = path.join(root, 'examples', 'results');
  return runReport(
    [
      path.join(results, 'current'),
      '--baseline',
      path.join(results, 'baseline'),
      '--env',
      'example',
      '--out',
      values.out ?? path.join(root, 'build', 'demo'),
    ],
    io,
  );
}
