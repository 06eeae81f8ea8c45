/**
 * `npm run budget -- --env <env> [--json]`: the environment's rate budget as a table (or JSON).
 * Exit codes: 0 within budget, 1 a scenario or the pipeline is over budget (or invalid),
 * 2 bad arguments or a bad environment file.
 */
import { loadSelectedEnvironment } from '../lib/config';
import { parseArgs, runCli } from '../lib/cli';
import { planBudget } from '../lib/ratelimits';
import { budgetJson, formatBudget } from '../lib/ratelimits/report';

const USAGE = `usage: npm run budget -- [--env <name>] [--json]
  --env <name>  environment (environments/<name>.json, or LOADLAB_ENV_DIR/<name>.json); default LOADLAB_ENV or example
  --json        print the plan as JSON instead of the table`;

function main(): number {
  const { values } = parseArgs(process.argv.slice(2), { env: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const plan = planBudget(loadSelectedEnvironment(values.env).config);
  console.log(values.json ? JSON.stringify(budgetJson(plan), null, 2) : formatBudget(plan));
  return plan.ok ? 0 : 1;
}

void runCli(main, { usage: USAGE });
