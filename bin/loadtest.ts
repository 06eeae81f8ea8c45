/**
 * npm run loadtest -- --env <env> --scenario <name> [--test-id ID] [--shards N] [--duration-sec N]
 *                     [--jmx <file>] [--params <file.csv>] [--dry-run] [--watch]
 *
 * Starts a distributed load test on the environment's runners and prints where the results
 * and the report land. --dry-run prints the state machine input without calling AWS.
 */
import { runCli } from '../lib/cli';
import { awsLoadTestDeps, LOADTEST_USAGE, runLoadTest } from '../commands/loadtest';

const argv = process.argv.slice(2);
void runCli(() => runLoadTest(argv, awsLoadTestDeps(argv)), { usage: LOADTEST_USAGE });
