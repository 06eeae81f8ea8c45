/**
 * `--help` of the commands a performance engineer uses describes every option the command
 * accepts and runs nothing; unknown options are refused; `npm run synth` reports a bad
 * environment once, itself, with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exampleInput } from '../helpers/env';

const ROOT = path.resolve(__dirname, '..', '..');

const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });

/** The option names of the parseArgs spec in a source file (`name: { type: ... }`). */
function optionsIn(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  return [...source.matchAll(/(?<=[\s{,])'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'/g)].map((m) => m[1]);
}

describe.each([
  { script: 'bin/jmx.ts', spec: 'commands/jmx.ts', mentions: ['--summary', 'PARAMS_CSV'] },
  { script: 'bin/report.ts', spec: 'commands/report.ts', mentions: ['--baseline', 'comparison.md', 'junit.xml', 'steady-state'] },
  { script: 'bin/demo.ts', spec: 'commands/demo.ts', mentions: ['examples/results/current', 'npm run demo'] },
  { script: 'bin/loadtest.ts', spec: 'commands/loadtest.ts', mentions: ['--dry-run', 'AWS credentials'] },
  { script: 'bin/synth.ts', spec: 'commands/synth.ts', mentions: ['cdktf.out/stacks/', 'Exit codes'] },
  { script: 'bench/run.ts', spec: 'bench/run.ts', mentions: ['--quick', 'about 2 minutes', 'synth, pipeline, report'] },
])('$script --help', ({ script, spec, mentions }) => {
  it('describes every option and exits 0 without doing anything else', () => {
    const res = run(script, ['--help']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const options = optionsIn(spec);
    expect(options).toContain('help');
    for (const o of options) expect(res.stdout).toMatch(new RegExp(`^\\s+--${o}\\b`, 'm'));
    for (const m of mentions) expect(res.stdout).toContain(m);
  });

  it('refuses an unknown option with exit code 2 and the usage', () => {
    const res = run(script, ['--no-such-option']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('error: unknown option --no-such-option; accepted: ');
    expect(res.stderr).toContain('usage: npm run ');
    expect(res.stdout).toBe('');
  });
});

describe('npm run synth on a bad environment', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-synth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints each problem once, itself (not through cdktf), and exits 2', () => {
    const raw: any = exampleInput();
    raw.loadProfile.shards = 0;
    raw.owner = '';
    writeFileSync(path.join(dir, 'example.json'), JSON.stringify(raw));
    const res = run('bin/synth.ts', [], { LOADLAB_ENV: 'example', LOADLAB_ENV_DIR: dir });
    expect(res.status).toBe(2);
    const lines = res.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^error: .*example\.json: /);
    expect(new Set(lines).size).toBe(lines.length);
    expect(res.stderr).toContain('loadProfile.shards must be an integer >= 1 (got 0)');
    expect(res.stderr).not.toContain('cdktf encountered an error');
    expect(res.stdout).toBe('');
  });

  it('names --env when the environment came from the flag', () => {
    const res = run('bin/synth.ts', ['--env', 'No_Such']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('error: --env must be 2-24 lower-case letters');
  });
});
