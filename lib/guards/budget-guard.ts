import { Annotations } from 'cdktf';
import type { IConstruct, IValidation } from 'constructs';
import type { RateBudget, ScenarioPlan } from '../ratelimits/model';

export interface GuardProblems {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

const what: Record<ScenarioPlan['verdict'], string> = {
  ok: 'within budget',
  'over-budget': 'over budget',
  'throttling-expected': 'over budget (expectThrottling: a deliberate capacity test)',
  invalid: 'invalid',
};

/**
 * The budget verdict as synth messages: one error per offending scenario (every error finding
 * of that scenario in one message), one warning per scenario that is over budget on purpose
 * (`expectThrottling`) or calls an endpoint the wrong way, and the environment-level findings.
 */
export function budgetProblems(plan: RateBudget): GuardProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const s of plan.scenarios) {
    const errs = s.findings.filter((f) => f.severity === 'error');
    const warns = s.findings.filter((f) => f.severity === 'warning' && f.code !== 'unconfirmed-limit');
    if (errs.length) {
      errors.push(`budget: scenario ${s.name} is ${what[s.verdict]}: ${errs.map((f) => f.message).join(' | ')}`);
    }
    if (warns.length) {
      const state =
        s.verdict === 'throttling-expected'
          ? `is ${what[s.verdict]}`
          : `has ${warns.length === 1 ? 'a warning' : `${warns.length} warnings`}`;
      warnings.push(`budget: scenario ${s.name} ${state}: ${warns.map((f) => f.message).join(' | ')}`);
    }
  }
  for (const f of plan.findings) (f.severity === 'error' ? errors : warnings).push(`budget: ${f.message}`);
  return { errors, warnings: [...warnings, ...unconfirmedLines(plan)] };
}

/**
 * The unconfirmed limits the plan goes over, should the org confirm their defaults: a heading per
 * scenario, one short line per limit (field, default, what the scenario needs), then one pointer
 * to `npm run preflight` and docs/unconfirmed-facts.md.
 */
export function unconfirmedLines(plan: RateBudget): string[] {
  const lines: string[] = [];
  for (const s of plan.scenarios) {
    const found = s.findings.filter((f) => f.code === 'unconfirmed-limit');
    if (found.length === 0) continue;
    const what =
      found.length === 1
        ? 'an unconfirmed limit if the org confirms its default'
        : `${found.length} unconfirmed limits if the org confirms their defaults`;
    lines.push(`budget: scenario ${s.name} goes over ${what}:`, ...found.map((f) => `  ${f.message}`));
  }
  if (lines.length) {
    lines.push(`confirm them against your org: npm run preflight -- --env ${plan.environment} (see docs/unconfirmed-facts.md)`);
  }
  return lines;
}

/** A cdktf validation that fails synth when the plan is not within budget. */
export class BudgetGuard implements IValidation {
  constructor(readonly budget: RateBudget) {}

  validate(): string[] {
    return [...budgetProblems(this.budget).errors];
  }
}

/**
 * Installs the budget guard on one construct (a stack): errors fail synth through a validation,
 * warnings become cdktf warning annotations (printed, synth continues).
 */
export function addBudgetGuard(scope: IConstruct, plan: RateBudget): BudgetGuard {
  const guard = new BudgetGuard(plan);
  scope.node.addValidation(guard);
  for (const w of budgetProblems(plan).warnings) Annotations.of(scope).addWarning(w);
  return guard;
}
