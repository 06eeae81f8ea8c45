/**
 * `npm run preflight -- --env <env> [--write]`: checks the environment's unconfirmed Genesys Cloud
 * facts against the org before the first deploy. The logic: commands/preflight.ts.
 */
import { runCli } from '../lib/cli';
import { PREFLIGHT_USAGE, PreflightError, preflightMain } from '../commands/preflight';

void runCli(preflightMain({ argv: process.argv.slice(2), env: process.env, log: (line) => console.log(line) }), {
  usage: PREFLIGHT_USAGE,
  expected: [[PreflightError, 1]],
  exitWhenDone: true,
});
