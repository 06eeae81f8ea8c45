import type { App } from 'cdktf';
import type { CiIdentitiesConfig, Environment } from '../lib/config';
import { planBudget, type RateBudget } from '../lib/ratelimits';
import { ArchiveStack } from '../stacks/archive-stack';
import { GenesysStack } from '../stacks/genesys-stack';
import { RunnersStack } from '../stacks/runners-stack';
import { CiStack } from '../stacks/ci-stack';
import { installGuards, type InstalledGuards } from '../lib/guards';

export interface LoadlabStacks {
  readonly budget: RateBudget;
  /** Absent when the environment shares another environment's archive (`archive.shareFrom`). */
  readonly archive?: ArchiveStack;
  readonly genesys: GenesysStack;
  readonly runners: RunnersStack;
  /** The budget and async-retrieval guards (validations on the stacks); `guardReport(guards)` runs them up front. */
  readonly guards: InstalledGuards;
}

/**
 * Adds one environment's stacks to an app. Data flows one way: config -> budget -> stacks;
 * references flow archive -> genesys -> runners only.
 */
export function addEnvironmentStacks(app: App, env: Environment): LoadlabStacks {
  const budget = planBudget(env.config);
  const archive = env.config.archive.shareFrom ? undefined : new ArchiveStack(app, { env, budget });
  const genesys = new GenesysStack(app, { env, budget, archive: archive?.refs });
  const runners = new RunnersStack(app, { env, budget, archive: archive?.refs, genesys: genesys.refs });
  // The runners find the genesys stack's secrets by name (no state of it is read), so order the deploy explicitly.
  runners.addDependency(genesys);
  const guards = installGuards({ budget, budgetStack: runners, stacks: [archive, genesys, runners].filter((s) => s !== undefined) });
  return { budget, archive, genesys, runners, guards };
}

/** Adds the account's CI identities (`loadlab-ci`, docs/security.md#ci-identities); an app holds it alone. */
export function addCiStack(app: App, config: CiIdentitiesConfig): CiStack {
  return new CiStack(app, { config });
}
