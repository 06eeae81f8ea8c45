import * as path from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { App, Testing } from 'cdktf';
import { loadEnvironment, ENVIRONMENTS_DIR, type Environment, type EnvironmentInput } from '../../lib/config';
import { addEnvironmentStacks, type LoadlabStacks } from '../../app/build-app';
import type { StackJson } from '../../lib/policy/terraform-json';

/** A fixed "now" so expires-at tags are stable in tests. */
export const TEST_NOW = new Date('2026-11-23T10:00:00Z');

/** The example environment file as JSON (a fresh copy each call, safe to mutate). */
export function exampleInput(): EnvironmentInput & Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(ENVIRONMENTS_DIR, 'example.json'), 'utf8'));
}

/**
 * Writes environment files into a temporary folder and loads `name` from it.
 * `files` maps environment names to their JSON.
 */
export function loadFrom(files: Record<string, unknown>, name: string, baseName?: string): Environment {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-env-'));
  for (const [file, json] of Object.entries(files)) writeFileSync(path.join(dir, `${file}.json`), JSON.stringify(json));
  return loadEnvironment(name, { dir, now: TEST_NOW, baseName });
}

/** Loads a repository environment (`environments/<name>.json`) or a pr-* derived from example. */
export function repoEnvironment(name = 'example'): Environment {
  return loadEnvironment(name, { now: TEST_NOW, baseName: 'example' });
}

/** Builds all stacks of an environment into a fresh test app. */
export function synthEnvironment(env: Environment): { app: App; stacks: LoadlabStacks } {
  const app = Testing.app();
  const stacks = addEnvironmentStacks(app, env);
  return { app, stacks };
}

/** Parsed synthesized JSON of a stack. */
export function synthJson(stack: Parameters<typeof Testing.synth>[0]): SynthesizedStack {
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
}

/** The policy suite's type of a synthesized stack, so tests and rules read the same shape. */
export type SynthesizedStack = StackJson;

/** Every resource of a synthesized stack as [type, name, body]. */
export function resourcesOf(json: SynthesizedStack): [string, string, Record<string, unknown>][] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => [type, name, body] as [string, string, Record<string, unknown>]),
  );
}

/** The example moved to the FedRAMP Genesys region (us-east-2), named `fedramp`. */
export function fedrampInput(): EnvironmentInput & Record<string, any> {
  const input = exampleInput() as Record<string, any>;
  input.name = 'fedramp';
  input.genesys.region = 'us-east-2';
  input.aws.region = 'us-east-2';
  return input as EnvironmentInput & Record<string, any>;
}

/**
 * One of each kind of environment, for suites that must hold everywhere: the example, a `pr-*`
 * environment derived from it (no archive stack of its own), and a FedRAMP-region one.
 */
export const REPRESENTATIVE_ENVIRONMENTS: readonly [string, () => Environment][] = [
  ['example', () => repoEnvironment('example')],
  ['pr-314 (derived from example)', () => loadFrom({ example: exampleInput() }, 'pr-314', 'example')],
  ['fedramp (us-east-2)', () => loadFrom({ fedramp: fedrampInput() }, 'fedramp')],
];
