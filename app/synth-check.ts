/**
 * What `npm run synth` and the cdktf app (main.ts) run: build the environment's stacks, check
 * the constructs' own configuration and the budget and async-retrieval guards, and synthesize
 * only when they pass, so a refused plan prints one line per problem and writes no stack.
 */
import type { App } from 'cdktf';
import { ConfigError, type CiIdentitiesConfig, type Environment } from '../lib/config';
import { guardReport, type GuardProblems } from '../lib/guards';
import { addCiStack, addEnvironmentStacks } from './build-app';

/** Where the guard errors point readers. */
export const GUARD_DOCS = 'docs/rate-limit-budget.md';

/** Exit code of a plan the guards refuse (a bad environment file exits 2, as a ConfigError). */
export const GUARD_EXIT_CODE = 1;

/** Exit code of a bad environment file or a configuration a construct refuses. */
export const CONFIG_EXIT_CODE = 2;

/** The guards' verdict on an environment's stacks, built into `app`. */
export function checkGuards(env: Environment, app: App): GuardProblems {
  return guardReport(addEnvironmentStacks(app, env).guards);
}

/** The lines a refused plan prints: one per problem, then the summary. */
export function guardErrorLines(env: Environment, report: GuardProblems): string[] {
  return [
    ...report.errors.map((e) => `error: ${e}`),
    `error: ${env.name}: ${report.errors.length} guard error(s); nothing was synthesized (see ${GUARD_DOCS})`,
  ];
}

/** Prints each problem of a configuration error once, as `error:` lines. */
export function printConfigError(err: ConfigError): void {
  for (const problem of err.problems) console.error(`error: ${problem}`);
}

/**
 * Adds the environment's stacks to `app`, runs the guards (before synthesis, which runs them
 * again as validations) and synthesizes when they pass. Prints warnings and errors to stderr and
 * returns the exit code: 0 synthesized, 1 refused by a guard, 2 refused by a construct.
 */
export function synthesizeEnvironment(env: Environment, app: App): number {
  let report: GuardProblems;
  try {
    report = checkGuards(env, app);
  } catch (err) {
    // Constructs may refuse configuration (ConfigError): the same clean output as a bad file.
    if (!(err instanceof ConfigError)) throw err;
    printConfigError(err);
    return CONFIG_EXIT_CODE;
  }
  for (const warning of report.warnings) console.error(`warning: ${warning}`);
  if (report.errors.length) {
    for (const line of guardErrorLines(env, report)) console.error(line);
    return GUARD_EXIT_CODE;
  }
  app.synth();
  return 0;
}

/** Builds and synthesizes the CI-identities stack alone; the same exit codes as an environment. */
export function synthesizeCiIdentities(config: CiIdentitiesConfig, app: App): number {
  try {
    addCiStack(app, config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printConfigError(err);
    return CONFIG_EXIT_CODE;
  }
  app.synth();
  return 0;
}
