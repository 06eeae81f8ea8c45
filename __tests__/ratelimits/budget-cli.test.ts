import { DEFAULT_REQUESTS_PER_SEC_PER_VCPU } from '../../lib/ratelimits/capacity';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exampleInput } from '../helpers/env';

const ROOT = path.resolve(__dirname, '..', '..');

function budget(args: string[], envDir?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/budget.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...(envDir ? { LOADLAB_ENV_DIR: envDir } : {}) },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run budget', () => {
  it('prints the table for the example and exits 0', () => {
    const res = budget(['--env', 'example']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^scenario\s+users\s+req\/min\s+util\s+1 token\s+shards x tok\s+per shard\s+verdict$/m);
    expect(res.stdout).toMatch(/^agent-scripts\s+500\s+15000\s+79 %\s+5000 %\s+7 x 9\s+2142\.9\s+ok$/m);
    expect(res.stdout).toMatch(
      /^ {2}agent-scripts: binding limit client\.credentials\.token\.rate\.per\.minute, 7 OAuth clients; task 2$/m,
    );
    // 2 vCPU x the measured requests/s per vCPU x 60.
    const perShard = 2 * DEFAULT_REQUESTS_PER_SEC_PER_VCPU * 60;
    expect(res.stdout).toMatch(
      new RegExp(`^ {6}vCPU / 4096 MiB \\(runners\\.cpu/memoryMiB; a shard carries ${perShard} requests/min, 250 threads\\)$`, 'm'),
    );
    // Fits a 100-column terminal.
    expect(res.stdout.split('\n').filter((line) => line.length > 100)).toEqual([]);
    expect(res.stdout).toContain('Within budget.');
  });

  it('--json prints the plan', () => {
    const res = budget(['--env=example', '--json']);
    expect(res.status).toBe(0);
    const plan = JSON.parse(res.stdout);
    expect(plan.ok).toBe(true);
    expect(plan.scenarios.map((s: any) => s.name)).toEqual(['screen-recording', 'agent-scripts', 'bot-analytics', 'messaging']);
    expect(plan.scenarios[1].sizing).toMatchObject({ shards: 7, tokensPerShard: 9 });
    expect(plan.scenarios[1].summary[0]).toContain('client.credentials.token.rate.per.minute');
  });

  it('exits 1 on an over-budget copy of the example, with the fix in the findings', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-budget-'));
    const raw: any = exampleInput();
    raw.name = 'overbudget';
    raw.loadProfile.scenarios[1].fixedSizing = { shards: 1, tokensPerShard: 1 };
    writeFileSync(path.join(dir, 'overbudget.json'), JSON.stringify(raw));
    const res = budget(['--env', 'overbudget'], dir);
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/^agent-scripts .* 1 x 1 \(fixed\) .* OVER BUDGET$/m);
    // Findings wrap at 100 columns; read them unwrapped.
    expect(res.stdout.replace(/\n +/g, ' ')).toContain(
      'error: agent-scripts: client.credentials.token.rate.per.minute: 15000 requests/min per token vs 240 allowed',
    );
    expect(res.stdout).toContain('NOT within budget: 1 scenario(s) to fix');
  });

  it('shows the cost per run and exits 1 when a scenario is over cost.maxCostPerRun', () => {
    const ok = budget(['--env', 'example']);
    expect(ok.stdout).toMatch(/^Cost estimate \(prices: the us-east-1 table of \d{4}-\d{2}-\d{2}/m);
    expect(ok.stdout).toMatch(/^ {2}agent-scripts +\$\d+\.\d\d {2}biggest: Fargate vCPU \$/m);
    expect(ok.stdout).toMatch(/^ {2}idle environment: \$\d+\.\d+ per day/m);
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-budget-'));
    const raw: any = exampleInput();
    raw.name = 'overcost';
    raw.cost = { maxCostPerRun: 0.3 };
    writeFileSync(path.join(dir, 'overcost.json'), JSON.stringify(raw));
    const res = budget(['--env', 'overcost'], dir);
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/^agent-scripts .* OVER BUDGET$/m);
    expect(res.stdout.replace(/\n +/g, ' ')).toMatch(
      /error: agent-scripts: estimated \$0\.\d\d per run exceeds cost\.maxCostPerRun \$0\.30; biggest line: Fargate vCPU/,
    );
    expect(res.stdout.split('\n').filter((line) => line.length > 100)).toEqual([]);
    const json = JSON.parse(budget(['--env', 'overcost', '--json'], dir).stdout);
    expect(json.cost.scenarios[1]).toMatchObject({ scenario: 'agent-scripts', biggest: { key: 'fargateVcpuHour' } });
    expect(json.cost.scenarios[1].usd).toBeGreaterThan(0.3);
  });

  it('exits 2 on bad arguments or an unknown environment', () => {
    const bad = budget(['--env']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error: --env needs a value');
    const missing = budget(['--env', 'nosuchenv']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--env: no environment nosuchenv');
  });
});
