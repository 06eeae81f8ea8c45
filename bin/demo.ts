/** npm run demo [-- --out <dir>]: the report of the bundled sample results (commands/demo.ts). */
import * as path from 'node:path';
import { runCli } from '../lib/cli';
import { DEMO_USAGE, runDemo } from '../commands/demo';

void runCli(
  () =>
    runDemo(
      process.argv.slice(2),
      { log: (line) => console.log(line), write: (text) => process.stdout.write(text) },
      path.resolve(__dirname, '..'),
    ),
  { usage: DEMO_USAGE },
);
