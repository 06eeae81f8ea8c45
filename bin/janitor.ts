/**
 * `npm run janitor -- [--dry-run] [options]`: finds ephemeral (`pr-<n>`) environments whose
 * `expires-at` tag has passed (AWS Resource Groups Tagging API) and tears each down with the
 * same commands as `npm run destroy`, never touching an archive.
 * Exit codes: 0 done, 1 a destroy failed, 2 bad arguments.
 */
import { runCli } from '../lib/cli';
import { JANITOR_USAGE, runJanitor } from '../commands/janitor';

void runCli(() => runJanitor(process.argv.slice(2)), { usage: JANITOR_USAGE });
