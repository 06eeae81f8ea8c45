/**
 * npm run jmx -- --env <env> --scenario <name> --out <file> [--params-csv <name>] [--summary]
 * Writes the JMeter plan of one scenario; the logic is commands/jmx.ts.
 */
import { runCli } from '../lib/cli';
import { JMX_USAGE, runJmx } from '../commands/jmx';

void runCli(() => runJmx(process.argv.slice(2)), { usage: JMX_USAGE });
