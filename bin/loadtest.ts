/**
 * npm run loadtest -- --env <env> --scenario <name> [--test-id ID] [--shards N] [--duration-sec N]
 *                     [--jmx <file>] [--params <file.csv>] [--dry-run] [--watch]
 *
 * Starts a distributed load test on the environment's runners and prints where the results
 * and the report land. --dry-run prints the state machine input without calling AWS.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from '../lib/config';
import { LOADTEST_USAGE, runLoadTest } from '../lib/runners/loadtest-command';

// The region comes from the environment file, not from the caller's AWS profile.
const regionOf = (argv: string[]): string => {
  const i = argv.indexOf('--env');
  const name = i >= 0 ? argv[i + 1] : selectedEnvironmentName();
  return loadEnvironment(name).config.aws.region;
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  try {
    process.exitCode = await runLoadTest(argv, {
      s3: () => new S3Client({ region: regionOf(argv) }),
      sfn: () => new SFNClient({ region: regionOf(argv) }),
      now: () => new Date(),
      log: (line) => console.log(line),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(`error: ${p}`);
      process.exitCode = 2;
    } else if (err instanceof TypeError && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`error: ${err.message}\n${LOADTEST_USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`error: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }
}

void main();
