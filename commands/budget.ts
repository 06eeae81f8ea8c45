/**
 * `npm run budget -- --env <env> [--json]`: the environment's rate budget as a table (or JSON).
 * Exit codes: 0 within budget, 1 a scenario or the pipeline is over budget (or invalid),
 * 2 bad arguments or a bad environment file.
 */
import { loadSelectedEnvironment } from '../lib/config';
import { parseArgs } from '../lib/cli';
import { planBudget } from '../lib/ratelimits';
import { budgetJson, formatBudget } from '../lib/ratelimits/report';

export const BUDGET_USAGE = `usage: npm run budget -- [--env <name>] [--json]
  --env <name>  environment (environments/<name>.json, or LOADLAB_ENV_DIR/<name>.json); default LOADLAB_ENV or example
  --json        print the plan as JSON instead of the table`;

export function runBudget(argv: readonly string[]): number {
  const { values } = parseArgs(argv, { env: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } });
  if (values.help) {
    console.log(BUDGET_USAGE);
    return 0;
  }
  const plan = planBudget(loadSelectedEnvironment(values.env).config);
  console.log(values.json ? JSON.stringify(budgetJson(plan), null, 2) : formatBudget(plan));
  return plan.ok ? 0 : 1;
}
