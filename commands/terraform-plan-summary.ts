/**
 * `npm run terraform-plan-summary -- <plan.json>... [options]`: Markdown summary of `terraform show -json`
 * plans for a pull request comment or a workflow summary.
 * Exit codes: 0 printed, 1 an archive stack would lose resources and --fail-on-archive-loss
 * was given, 2 bad arguments or a file that is not a plan.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { numberOption, parseArgs } from '../lib/cli';
import { parsePlanJson, PlanFormatError } from './terraform-plan/plan-json';
import { renderPlanSummary, stackNameFromPath, summarizeStack, type FailedStack } from './terraform-plan/summary';

export const PLAN_SUMMARY_USAGE = `usage: npm run terraform-plan-summary -- <plan.json | stack=plan.json>... [options]
  <plan.json>             output of terraform show -json <planfile>; the stack name comes from
                          cdktf.out/stacks/<stack>/… or <stack>.json, or give it as <stack>=<file>
  --failed <stack>=<why>  a stack whose plan failed (repeatable); listed at the top
  --budget <file>         append this rate-budget table (npm run budget output)
  --title <text>          heading (default "Plan review")
  --marker <text>         hidden HTML comment a bot uses to find its comment
  --out <file>            write the Markdown here instead of stdout
  --max-chars <n>         shrink tables to fit (default 60000; GitHub comments hold 65536)
  --fail-on-archive-loss  exit 1 when an archive stack would destroy or replace anything`;

export function runPlanSummary(argv: readonly string[]): number {
  const { values, positionals } = parseArgs(
    argv,
    {
      failed: { type: 'string', multiple: true },
      budget: { type: 'string' },
      title: { type: 'string' },
      marker: { type: 'string' },
      out: { type: 'string' },
      'max-chars': { type: 'string' },
      'fail-on-archive-loss': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true },
  );
  if (values.help) {
    console.log(PLAN_SUMMARY_USAGE);
    return 0;
  }
  const maxChars = numberOption('max-chars', values['max-chars'], { min: 1000, integer: true });
  const failed: FailedStack[] = [];
  for (const f of values.failed ?? []) {
    const [stack, ...why] = f.split('=');
    if (!stack) {
      console.error(`error: --failed must be <stack>=<reason> (got ${JSON.stringify(f)})`);
      return 2;
    }
    failed.push({ stack, reason: why.join('=') || 'plan failed' });
  }
  if (!positionals.length && !failed.length) {
    console.error(`error: give at least one plan file\n${PLAN_SUMMARY_USAGE}`);
    return 2;
  }
  try {
    const summaries = positionals.map((arg) => {
      const explicit = /^([a-z][a-z0-9-]*)=(.+)$/.exec(arg);
      const file = explicit ? explicit[2] : arg;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new PlanFormatError(
          e.code === 'ENOENT'
            ? `${file}: no such file`
            : `${file}: not JSON (${e.message}); give the output of terraform show -json, not the binary plan`,
        );
      }
      return summarizeStack({ stack: explicit ? explicit[1] : stackNameFromPath(file), plan: parsePlanJson(raw, file) });
    });
    const budget = values.budget === undefined ? undefined : readFileSync(values.budget, 'utf8');
    const markdown = renderPlanSummary(summaries, { failed, budget, title: values.title, marker: values.marker, maxChars });
    if (values.out) writeFileSync(values.out, markdown);
    else process.stdout.write(markdown);
    const archiveLoss = summaries.some((s) => s.archive && (s.counts.destroy > 0 || s.counts.replace > 0));
    if (archiveLoss) console.error('warning: an archive stack would destroy or replace resources (see the summary)');
    return archiveLoss && values['fail-on-archive-loss'] ? 1 : 0;
  } catch (err) {
    if (!(err instanceof PlanFormatError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    console.error(`error: ${(err as Error).message}`);
    return 2;
  }
}
