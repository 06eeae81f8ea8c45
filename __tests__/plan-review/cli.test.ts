import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');

/** Runs a bin the way npm does (tsx), without network or cloud credentials. */
function cli(bin: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', bin), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: '', LOADLAB_BASE_ENV: '', LOADLAB_CREATED_AT: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run terraform-plan-summary', () => {
  const archive = path.join(FIXTURES, 'example-archive.plan.json');
  const runners = path.join(FIXTURES, 'example-runners.plan.json');

  it('prints the summary and warns about archive losses on stderr; --fail-on-archive-loss makes it an exit code', () => {
    const ok = cli('terraform-plan-summary.ts', [archive, `example-runners=${runners}`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('> [!CAUTION]');
    expect(ok.stdout).toContain('### `example-runners`: 1 to add');
    expect(ok.stderr).toContain('warning: an archive stack would destroy or replace resources');
    expect(cli('terraform-plan-summary.ts', [archive, '--fail-on-archive-loss']).code).toBe(1);
    expect(cli('terraform-plan-summary.ts', [runners, '--fail-on-archive-loss']).code).toBe(0);
  });

  it('explains a state file, a missing file and bad options', () => {
    const state = cli('terraform-plan-summary.ts', [path.join(FIXTURES, 'state.json')]);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('this is a state, not a plan');
    const missing = cli('terraform-plan-summary.ts', ['nope.json']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('error: nope.json: no such file');
    expect(cli('terraform-plan-summary.ts', ['--max-chars', '5', runners]).stderr).toContain('--max-chars must be an integer >= 1000');
    expect(cli('terraform-plan-summary.ts', ['--colour']).code).toBe(2);
  });
});

describe('npm run destroy', () => {
  it('refuses the archive stack with the explanation and exit code 2', () => {
    const r = cli('destroy.ts', ['--env', 'example', '--stack', 'example-archive']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: refusing to destroy example-archive: archive stacks are durable.');
    expect(r.stdout).toBe('');
  });

  it('--dry-run prints the command for a pr-* environment', () => {
    const r = cli('destroy.ts', ['--env', 'pr-77', '--yes', '--dry-run', '--base', 'example']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      'LOADLAB_ENV=pr-77 CHECKPOINT_DISABLE=1 LOADLAB_BASE_ENV=example npx cdktf destroy pr-77-runners pr-77-genesys --auto-approve',
    );
  });

  it('refuses a local backend in CI, where the state would not be on the runner', () => {
    const r = cli('destroy.ts', ['--env', 'example', '--yes'], { CI: 'true' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backend\.type is "local", but this is CI/);
  });

  it('reports an unknown environment the way the config loader does', () => {
    const r = cli('destroy.ts', ['--env', 'staging', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --env: no environment staging/m);
  });
});

describe('npm run janitor', () => {
  it('rejects bad options before calling AWS', () => {
    expect(cli('janitor.ts', ['--max=-1']).stderr).toContain('error: --max must be an integer >= 0 (got "-1")');
    expect(cli('janitor.ts', ['--now', 'yesterday']).stderr).toContain('error: --now must be an ISO time');
  });
});
