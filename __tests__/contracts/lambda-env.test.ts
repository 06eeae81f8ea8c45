import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import {
  LAMBDA_CONTRACTS,
  LAMBDA_RUNTIME_ENV,
  lambdaEnvironment,
  lambdaEnvValue,
  METADATA_WORKER_ENV,
  readLambdaEnv,
  REPORT_JOBS_ENV,
  SQS_WORKER_ENV,
} from '../../lib/contracts/lambda-env';
import { bundleHandler } from '../../lib/lambda/bundle';
import { costProfileOf, parseCostProfile } from '../../lib/cost/profile';
import { repoEnvironment, synthEnvironment } from '../helpers/env';

const ROOT = path.resolve(__dirname, '..', '..');
const env = repoEnvironment('example');
const { stacks } = synthEnvironment(env);
const synthesized = Testing.synth(stacks.runners);
const functions = Object.values(
  (
    JSON.parse(synthesized) as {
      resource: { aws_lambda_function: Record<string, { function_name: string; environment?: { variables: object } }> };
    }
  ).resource.aws_lambda_function,
);

/** A variable read without the contract: `process.env.X`, `process.env[...]`, destructuring, `env.X`, `env[...]`. */
const RAW_READ = /process\.env\s*(?:\?\.|\.)\s*\w|\benv\s*(?:\?\.|\.)\s*[A-Z_][A-Z0-9_]*\b|\benv\s*(?:\?\.)?\[|\}\s*=\s*process\.env\b/;

/** The contract of a deployed function, by its name `<prefix>-<key>`. */
const contractOf = (functionName: string) =>
  Object.entries(LAMBDA_CONTRACTS).find(([key]) => functionName === `${env.resourcePrefix}-${key}`);

describe('Lambda environments: one declaration, set by the constructs, read by the functions', () => {
  it('every function the stack deploys has a contract, and sets exactly the variables it declares', () => {
    expect(functions.map((f) => f.function_name).sort()).toEqual(
      Object.keys(LAMBDA_CONTRACTS)
        .map((k) => `${env.resourcePrefix}-${k}`)
        .sort(),
    );
    for (const fn of functions) {
      const [, contract] = contractOf(fn.function_name)!;
      const set = Object.keys(fn.environment?.variables ?? {}).sort();
      // Declared but never set (a read that can only fall back), or set but never declared (dead).
      expect({ fn: fn.function_name, vars: set }).toEqual({ fn: fn.function_name, vars: Object.keys(contract.vars).sort() });
      for (const reserved of Object.keys(LAMBDA_RUNTIME_ENV.vars)) expect(set).not.toContain(reserved);
    }
  });

  it('sets the metadata worker its availability policy (read by the worker, once never set)', () => {
    expect(synthesized).toHaveResourceWithProperties(LambdaFunction, {
      function_name: `${env.resourcePrefix}-metadata-worker`,
      environment: { variables: expect.objectContaining({ AVAILABILITY_MAX_CHECKS: '8', AVAILABILITY_FIRST_DELAY_SEC: '30' }) },
    });
  });

  it("sets the report step the environment's cost profile, which the step reads back whole", () => {
    const step = functions.find((f) => f.function_name === `${env.resourcePrefix}-report-step`)!;
    const raw = (step.environment!.variables as Record<string, string>).COST_PROFILE;
    expect(parseCostProfile(JSON.parse(raw), 'COST_PROFILE')).toEqual(costProfileOf(env.name, env.config));
  });

  it('reads nothing from the environment but through the contract, in every file bundled into a function', () => {
    const entries = readdirSync(path.join(ROOT, 'functions'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .map((d) => d.name)
      .sort();
    // A new function folder needs a contract (and the stack test above, that it is deployed).
    expect(entries).toEqual(Object.keys(LAMBDA_CONTRACTS).sort());
    const offenders: string[] = [];
    for (const entry of entries) {
      for (const file of bundleHandler(path.join(ROOT, 'functions', entry, 'index.ts')).inputs) {
        const rel = path.relative(ROOT, file);
        // Packages are not ours; the contract itself is where the one raw read lives.
        if (file.split(path.sep).includes('node_modules') || rel === path.join('lib', 'contracts', 'lambda-env.ts')) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (RAW_READ.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the scan finds a raw read (so the check above can fail)', () => {
    for (const line of [
      'process.env.AWS_REGION',
      "process.env['X']",
      'const { X } = process.env',
      'env.QUEUE_URL',
      'env?.QUEUE_URL',
      'env[name]',
    ]) {
      expect(RAW_READ.test(line)).toBe(true);
    }
    for (const line of ['const env = clients.env ?? process.env;', 'workerSettings(env)', 'o.env.genesys.apiBase']) {
      expect(RAW_READ.test(line)).toBe(false);
    }
  });
});

describe('typed getters', () => {
  const good = {
    GENESYS_API_BASE: 'https://api.example',
    GENESYS_LOGIN_BASE: 'https://login.example',
    CLIENT_SECRET_ARN: 'arn:secret',
    RATE_PER_MINUTE: '12.5',
    QUEUE_URL: 'https://sqs/q',
    DEAD_LETTER_QUEUE_URL: 'https://sqs/dlq',
    ANALYTICS_BUCKET: 'analytics',
  };

  it('reads checked values, with declared fallbacks and optional variables', () => {
    expect(readLambdaEnv(REPORT_JOBS_ENV, good)).toEqual({
      ...good,
      RATE_PER_MINUTE: 12.5,
      MAX_RECEIVE_COUNT: 5,
      ARCHIVE_KMS_KEY_ARN: undefined,
    });
    expect(lambdaEnvValue(METADATA_WORKER_ENV, 'AVAILABILITY_MAX_CHECKS', { AVAILABILITY_MAX_CHECKS: '3' })).toBe(3);
  });

  it.each([
    [{ QUEUE_URL: '' }, 'environment variable QUEUE_URL is not set (the EventPipeline construct sets it)'],
    [{ RATE_PER_MINUTE: '-1' }, 'environment variable RATE_PER_MINUTE must be a positive number (got -1)'],
    [{ MAX_RECEIVE_COUNT: '2.5' }, 'environment variable MAX_RECEIVE_COUNT must be a whole number (got 2.5)'],
  ])('fails clearly on %p', (override, message) => {
    expect(() => readLambdaEnv(SQS_WORKER_ENV, { ...good, ...override })).toThrow(message);
  });

  it('the construct side stringifies every declared variable and refuses a missing one', () => {
    const input = {
      GENESYS_API_BASE: 'a',
      GENESYS_LOGIN_BASE: 'b',
      CLIENT_SECRET_ARN: 'c',
      RATE_PER_MINUTE: 1.5,
      ARCHIVE_KMS_KEY_ARN: 'k',
      QUEUE_URL: 'q',
      DEAD_LETTER_QUEUE_URL: 'd',
      MAX_RECEIVE_COUNT: 3,
    };
    expect(lambdaEnvironment(SQS_WORKER_ENV, input)).toEqual({ ...input, RATE_PER_MINUTE: '1.5', MAX_RECEIVE_COUNT: '3' });
    expect(() => lambdaEnvironment(SQS_WORKER_ENV, { ...input, QUEUE_URL: undefined as never })).toThrow(
      'the EventPipeline construct must set QUEUE_URL',
    );
  });
});
