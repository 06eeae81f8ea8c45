/**
 * `npm run budget -- --env <env> [--json]`: the environment's rate budget as a table (or JSON).
 * Exit codes: 0 within budget, 1 a scenario or the pipeline is over budget (or invalid),
 * 2 bad arguments or a bad environment file.
 */
import { ConfigError, loadEnvironment, selectedEnvironmentName } from '../lib/config';
import { planBudget } from '../lib/ratelimits';
import { parseArgs, UsageError } from '../lib/ratelimits/cli-args';
import { budgetJson, formatBudget } from '../lib/ratelimits/report';

const USAGE = `usage: npm run budget -- [--env <name>] [--json]
  --env <name>  environment (environments/<name>.json, or LOADLAB_ENV_DIR/<name>.json); default LOADLAB_ENV or example
  --json        print the plan as JSON instead of the table`;

function main(argv: readonly string[]): number {
  let args;
  try {
    args = parseArgs(argv, { env: true, json: false, help: false });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const name = args.options.env?.at(-1) ?? selectedEnvironmentName();
  try {
    const env = loadEnvironment(name);
    const plan = planBudget(env.config);
    console.log(args.flags.has('json') ? JSON.stringify(budgetJson(plan), null, 2) : formatBudget(plan));
    return plan.ok ? 0 : 1;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(`error: ${problem}`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
