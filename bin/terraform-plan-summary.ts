/**
 * `npm run terraform-plan-summary -- <plan.json>... [options]`: Markdown summary of `terraform show -json`
 * plans for a pull request comment or a workflow summary.
 * Exit codes: 0 printed, 1 an archive stack would lose resources and --fail-on-archive-loss
 * was given, 2 bad arguments or a file that is not a plan.
 */
import { runCli } from '../lib/cli';
import { PLAN_SUMMARY_USAGE, runPlanSummary } from '../commands/terraform-plan-summary';

void runCli(() => runPlanSummary(process.argv.slice(2)), { usage: PLAN_SUMMARY_USAGE });
