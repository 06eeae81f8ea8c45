import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { numberOption, parseArgs, runMain, UsageError, type CliOptions } from '../../lib/cli';
import { ConfigError } from '../../lib/config';

const SPEC = {
  env: { type: 'string' },
  stack: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

describe('parseArgs', () => {
  it('reads --name value, --name=value, repeatable lists, booleans and -h; the last single value wins', () => {
    const { values, positionals } = parseArgs(
      ['--env', 'a', '--stack=x-runners', '--stack', 'x-genesys', '--dry-run', '-h', '--env=b=c', '--stack', '-1'],
      SPEC,
    );
    expect(values).toEqual({ env: 'b=c', stack: ['x-runners', 'x-genesys', '-1'], 'dry-run': true, help: true });
    expect(positionals).toEqual([]);
    expect(parseArgs([], SPEC).values).toEqual({});
  });

  it('keeps positionals only where the command takes them; -- ends the options', () => {
    expect(parseArgs(['a.json', '--env', 'e', '--', '--not-an-option'], SPEC, { positionals: true })).toEqual({
      values: { env: 'e' },
      positionals: ['a.json', '--not-an-option'],
    });
    expect(() => parseArgs(['a.json'], SPEC)).toThrow(new UsageError('unexpected argument "a.json"; options start with --'));
  });

  it.each([
    [['--colour'], 'unknown option --colour; accepted: --env, --stack, --dry-run, --help (-h)'],
    [['-x'], 'unknown option -x; accepted: --env, --stack, --dry-run, --help (-h)'],
    [['--toString'], 'unknown option --toString; accepted: --env, --stack, --dry-run, --help (-h)'],
    [['--env'], '--env needs a value'],
    [['--env', '--dry-run'], '--env needs a value'],
    [['--dry-run=yes'], '--dry-run takes no value'],
  ])('%p is a UsageError: %s', (argv, message) => {
    expect(() => parseArgs(argv, SPEC)).toThrow(UsageError);
    expect(() => parseArgs(argv, SPEC)).toThrow(message);
  });
});

describe('numberOption', () => {
  it('is undefined when absent and the number when in range', () => {
    expect(numberOption('max', undefined, { min: 0, integer: true })).toBeUndefined();
    expect(numberOption('max', '0', { min: 0, integer: true })).toBe(0);
    expect(numberOption('grace-hours', '1.5', { min: 0 })).toBe(1.5);
  });

  it.each([
    ['-1', { min: 0, integer: true }, '--max must be an integer >= 0 (got "-1")'],
    ['2.5', { integer: true }, '--max must be an integer (got "2.5")'],
    ['', { min: 0 }, '--max must be a number >= 0 (got "")'],
    ['ten', {}, '--max must be a number (got "ten")'],
    ['Infinity', {}, '--max must be a number (got "Infinity")'],
  ])('%p with %p names the flag', (raw, limits, message) => {
    expect(() => numberOption('max', raw, limits)).toThrow(new UsageError(message));
  });
});

describe('runMain', () => {
  class RefusedError extends Error {}
  const OPTIONS: CliOptions = { usage: 'usage: npm run thing -- --env <env>', expected: [[RefusedError, 3]] };

  async function run(main: () => unknown, options: CliOptions = OPTIONS, env: NodeJS.ProcessEnv = {}) {
    const lines: string[] = [];
    const code = await runMain(main as never, options, { error: (l) => lines.push(l), env });
    return { code, text: lines.join('\n') };
  }

  it("returns the command's own exit code, or none when it keeps running", async () => {
    expect(await run(() => 1)).toEqual({ code: 1, text: '' });
    expect(await run(async () => 0)).toEqual({ code: 0, text: '' });
    expect(await run(() => undefined)).toEqual({ code: undefined, text: '' });
  });

  it('prints a UsageError with the usage, ConfigError problems one per line, each with its exit code', async () => {
    expect(await run(() => parseArgs(['--nope'], SPEC))).toEqual({
      code: 2,
      text: 'error: unknown option --nope; accepted: --env, --stack, --dry-run, --help (-h)\nusage: npm run thing -- --env <env>',
    });
    expect(await run(() => Promise.reject(new ConfigError(['a.json: name is required', 'a.json: owner is required'])))).toEqual({
      code: 2,
      text: 'error: a.json: name is required\nerror: a.json: owner is required',
    });
    const quiet = { ...OPTIONS, usageErrorCode: 1, configErrorCode: 1 };
    expect((await run(() => numberOption('port', 'x'), quiet)).code).toBe(1);
    expect((await run(() => Promise.reject(new ConfigError(['x'])), quiet)).code).toBe(1);
  });

  it('gives expected errors their code and anything else one line and exit 1, the stack only with DEBUG=1', async () => {
    expect(await run(() => Promise.reject(new RefusedError('refusing to destroy example-archive')), OPTIONS, { DEBUG: '1' })).toEqual({
      code: 3,
      text: 'error: refusing to destroy example-archive',
    });
    const boom = () => {
      throw new TypeError('cannot read x');
    };
    expect(await run(boom)).toEqual({ code: 1, text: 'error: cannot read x' });
    const debug = await run(boom, OPTIONS, { DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.text).toMatch(/^error: cannot read x\nTypeError: cannot read x\n\s+at /);
    expect(await run(() => Promise.reject('a string'))).toEqual({ code: 1, text: 'error: a string' });
  });
});

describe('runCli', () => {
  it('stops quietly when its reader closes the pipe early (npm run budget | head), without an EPIPE stack', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/budget.ts', '--env', 'example', '--json'], {
      cwd: path.resolve(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close the reading end before the command writes anything: its first write fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  }, 60_000);

  it("keeps the AWS SDK's Node-version warning out of a command's output", async () => {
    // The janitor builds an AWS SDK client at once; without credentials it stops with one error line.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
    const args = ['--dry-run', '--region', 'us-east-1', '--repository', 'example-org/genesys-loadlab'];
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/janitor.ts', ...args], {
      cwd: path.resolve(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(output).toContain('tag:GetResources');
    expect(output).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  }, 60_000);
});
