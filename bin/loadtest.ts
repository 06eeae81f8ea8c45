/**
 * npm run loadtest -- --env <env> --scenario <name> [--test-id ID] [--shards N] [--duration-sec N]
 *                     [--jmx <file>] [--params <file.csv>] [--dry-run] [--watch]
 *
 * Starts a distributed load test on the environment's runners and prints where the results
 * and the report land. --dry-run prints the state machine input without calling AWS.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { runCli } from '../lib/cli';
import { loadEnvironment, selectedEnvironmentName } from '../lib/config';
import { LOADTEST_USAGE, runLoadTest } from '../commands/loadtest';

// The region comes from the environment file, not from the caller's AWS profile.
const regionOf = (argv: string[]): string => {
  // runLoadTest has parsed argv already; the last --env wins, as there.
  let name = selectedEnvironmentName();
  argv.forEach((arg, i) => {
    if (arg === '--env' && argv[i + 1] !== undefined) name = argv[i + 1];
    else if (arg.startsWith('--env=')) name = arg.slice('--env='.length);
  });
  return loadEnvironment(name).config.aws.region;
};

function main(): Promise<number> {
  const argv = process.argv.slice(2);
  return runLoadTest(argv, {
    s3: () => new S3Client({ region: regionOf(argv) }),
    sfn: () => new SFNClient({ region: regionOf(argv) }),
    now: () => new Date(),
    log: (line) => console.log(line),
  });
}

void runCli(main, { usage: LOADTEST_USAGE });
