/**
 * `npm run budget -- --env <env> [--json]`: the environment's rate budget as a table (or JSON).
 * Exit codes: 0 within budget, 1 a scenario or the pipeline is over budget (or invalid),
 * 2 bad arguments or a bad environment file.
 */
import { runCli } from '../lib/cli';
import { BUDGET_USAGE, runBudget } from '../commands/budget';

void runCli(() => runBudget(process.argv.slice(2)), { usage: BUDGET_USAGE });
