/** `npm run check:environments`: the logic is commands/check-environments.ts. */
import { runCli } from '../lib/cli';
import { CHECK_ENVIRONMENTS_USAGE, runCheckEnvironments } from '../commands/check-environments';

void runCli(() => runCheckEnvironments(process.argv.slice(2)), { usage: CHECK_ENVIRONMENTS_USAGE });
