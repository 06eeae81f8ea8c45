import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exampleInput } from '../helpers/env';

const ROOT = path.resolve(__dirname, '..', '..');

// Each case runs the whole app in a child process (a full synth for the capacity case): on a
// loaded 2-core machine that can take longer than the default per-test timeout.
const APP_TIMEOUT_MS = 180_000;

/** Runs the cdktf app (what `cdktf synth` runs) on an environment written into a temp folder. */
function runApp(name: string, env: unknown) {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-guard-'));
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(env, null, 2));
  const outdir = path.join(dir, 'out');
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOADLAB_ENV: name, LOADLAB_ENV_DIR: dir, CDKTF_OUTDIR: outdir, LOADLAB_CREATED_AT: '2026-11-23T10:00:00Z' },
    encoding: 'utf8',
    timeout: APP_TIMEOUT_MS - 10_000,
  });
  return { ...res, outdir };
}

function overBudget(name: string, expectThrottling: boolean): any {
  const raw: any = exampleInput();
  raw.name = name;
  const scripts = raw.loadProfile.scenarios.find((s: any) => s.name === 'agent-scripts');
  scripts.fixedSizing = { shards: 1, tokensPerShard: 1 };
  scripts.expectThrottling = expectThrottling;
  return raw;
}

describe('synth (the cdktf app) with the guards', () => {
  it(
    'exits non-zero with the budget error, no stack trace, and writes nothing',
    () => {
      const res = runApp('overbudget', overBudget('overbudget', false));
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(
        'error: budget: scenario agent-scripts is over budget: client.credentials.token.rate.per.minute: 15000 requests/min per token vs 240 allowed',
      );
      expect(res.stderr).toContain('error: overbudget: 1 guard error(s); nothing was synthesized');
      expect(res.stderr).not.toMatch(/^\s+at /m);
      // cdktf's App creates an empty stacks/ folder; no stack and no manifest is written.
      expect(existsSync(path.join(res.outdir, 'manifest.json'))).toBe(false);
      expect(existsSync(path.join(res.outdir, 'stacks')) ? readdirSync(path.join(res.outdir, 'stacks')) : []).toEqual([]);
    },
    APP_TIMEOUT_MS,
  );

  it(
    'refuses an org-wide recording retention policy outside a test org: exit 2, one line naming the field, nothing written',
    () => {
      const raw: any = exampleInput();
      raw.name = 'orgwide';
      raw.genesys.testOrg = false;
      const res = runApp('orgwide', raw);
      expect(res.status).toBe(2);
      const errors = res.stderr.split('\n').filter((l) => l.startsWith('error'));
      expect(errors).toEqual([
        expect.stringMatching(/^error: .*orgwide\.json: genesys\.recordingExport\.queueIds is empty, .*set genesys\.testOrg to true/),
      ]);
      expect(res.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(path.join(res.outdir, 'manifest.json'))).toBe(false);
    },
    APP_TIMEOUT_MS,
  );

  it(
    'synthesizes a deliberate capacity test with a warning',
    () => {
      const res = runApp('capacity', overBudget('capacity', true));
      expect(res.stderr).toContain('warning: budget: scenario agent-scripts is over budget (expectThrottling: a deliberate capacity test)');
      expect(res.status).toBe(0);
      expect(readdirSync(path.join(res.outdir, 'stacks')).sort()).toEqual(['capacity-archive', 'capacity-genesys', 'capacity-runners']);
    },
    APP_TIMEOUT_MS,
  );
});
