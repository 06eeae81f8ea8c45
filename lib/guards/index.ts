/**
 * Synth-time guards: the budget guard (the plan must be within budget) and the async-retrieval
 * guard (metadata and analytics retrieval must be queued and capped at the budget's concurrency;
 * the queue's dead-letter queue is policy rule SQS-002). Both read synthesized JSON through
 * lib/policy/terraform-json, the engine the policy rules use.
 * `installGuards` wires both into an environment's stacks as cdktf validations, so every synth
 * path (cdktf synth, Testing.synth with validations) enforces them; `guardReport` runs the same
 * checks up front so `main.ts` can print them and exit before anything is written to cdktf.out.
 */
import type { TerraformStack } from 'cdktf';
import type { RateBudget } from '../ratelimits/model';
import { addAsyncGuard, type AsyncRetrievalGuard } from './async-guard';
import { addBudgetGuard, budgetProblems, type BudgetGuard, type GuardProblems } from './budget-guard';

export * from './async-guard';
export * from './budget-guard';

export interface GuardedStacks {
  readonly budget: RateBudget;
  /** The stack the budget guard reports on (the runners stack: it runs the scenarios). */
  readonly budgetStack: TerraformStack;
  /** Every stack of the environment; each gets the async guard. */
  readonly stacks: readonly TerraformStack[];
}

export interface InstalledGuards {
  readonly budget: BudgetGuard;
  readonly async: readonly AsyncRetrievalGuard[];
}

export function installGuards(target: GuardedStacks): InstalledGuards {
  return {
    budget: addBudgetGuard(target.budgetStack, target.budget),
    async: target.stacks.map((stack) =>
      addAsyncGuard(stack, { metadata: target.budget.metadataWorker.concurrency, analytics: target.budget.reportWorker.concurrency }),
    ),
  };
}

/**
 * Runs the installed guards now, outside synthesis: budget errors and warnings, then the async
 * guard of every stack. Each stack is prepared first (cdktf's own resolve pass, which synthesis
 * repeats), so cross-stack references are in place when its JSON is read.
 */
export function guardReport(guards: InstalledGuards): GuardProblems {
  const budget = budgetProblems(guards.budget.budget);
  const asyncErrors = guards.async.flatMap((g) => {
    g.stack.prepareStack();
    return g.validate();
  });
  return { errors: [...budget.errors, ...asyncErrors], warnings: budget.warnings };
}
