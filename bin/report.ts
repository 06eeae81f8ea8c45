/**
 * npm run report -- <results-dir> [--out <dir>] [--baseline <results-dir|report.json>] [--jmx-summary <file>] ...
 *
 * The command lives in commands/report.ts; the state machine's report step assembles the same report.
 */
import { runCli } from '../lib/cli';
import { JtlFormatError } from '../loadtest/report';
import { REPORT_USAGE, runReport } from '../commands/report';
import { JtlHeaderError } from '../loadtest/report/jmeter-dashboard';
import { JmeterUnavailableError } from '../loadtest/jmeter/home';

void runCli(
  () =>
    runReport(process.argv.slice(2), {
      log: (line) => console.log(line),
      write: (text) => process.stdout.write(text),
    }),
  {
    usage: REPORT_USAGE,
    expected: [
      [JtlFormatError, 2],
      [JtlHeaderError, 2],
      [JmeterUnavailableError, 2],
    ],
  },
);
