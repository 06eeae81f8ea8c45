/**
 * `npm run destroy -- --env <env> [--stack <name>]... [--yes] [--dry-run] [--if-deployed]`:
 * tears down `<env>-runners` then `<env>-genesys`, never `<env>-archive`.
 * Exit codes: 0 done (or nothing to do), 2 refused or bad arguments, otherwise cdktf's code.
 */
import { runCli } from '../lib/cli';
import { DESTROY_USAGE, runDestroy } from '../commands/destroy';
import { DestroyRefused } from '../commands/teardown/destroy-plan';

void runCli(() => runDestroy(process.argv.slice(2)), { usage: DESTROY_USAGE, expected: [[DestroyRefused, 2]] });
