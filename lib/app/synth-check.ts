/**
 * What `npm run synth` and the cdktf app check before anything is written: the environment
 * file, the constructs' own configuration checks and the budget and async-retrieval guards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import type { Environment } from '../config';
import { guardReport, type GuardProblems } from '../guards';
import { addEnvironmentStacks } from './build-app';

/** Where the guard errors point readers. */
export const GUARD_DOCS = 'docs/rate-limit-budget.md';

/** Exit code of a plan the guards refuse (a bad environment file exits 2, as a ConfigError). */
export const GUARD_EXIT_CODE = 1;

/** The guards' verdict on an environment's stacks, built into `app` (a throwaway App when absent). */
export function checkGuards(env: Environment, app?: App): GuardProblems {
  if (app) return guardReport(addEnvironmentStacks(app, env).guards);
  // cdktf's App creates its output folder: keep the throwaway one out of the project.
  const outdir = mkdtempSync(path.join(tmpdir(), 'loadlab-synth-check-'));
  try {
    return guardReport(addEnvironmentStacks(new App({ outdir }), env).guards);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The lines a refused plan prints: one per problem, then the summary. */
export function guardErrorLines(env: Environment, report: GuardProblems): string[] {
  return [
    ...report.errors.map((e) => `error: ${e}`),
    `error: ${env.name}: ${report.errors.length} guard error(s); nothing was synthesized (see ${GUARD_DOCS})`,
  ];
}
