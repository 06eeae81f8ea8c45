/**
 * The honest-rehearsal rule: a planned replay of a scenario within budget that reaches less
 * than 90 % of its target rate fails, in-process and against a running simulator (--url).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { underTarget, type RehearsalResult } from '../../sim/rehearsal';
import { startSimulator } from '../../sim/server';
import { exampleInput } from '../helpers/env';

const run = promisify(execFile);

async function rehearse(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bin/rehearse.ts', ...args], {
      cwd: `${__dirname}/../..`,
      env: { ...process.env, LOADLAB_ENV: 'example', ...extraEnv },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const result = (achieved: number, mode: 'planned' | 'naive' = 'planned'): RehearsalResult => ({
  scenario: 's',
  mode,
  virtualUsers: 10,
  shards: 1,
  clients: 1,
  tokens: 1,
  scenarioSeconds: 60,
  minuteMs: 1000,
  loadScale: 1,
  realMs: 1000,
  targetPerMinute: 1000,
  achievedPerMinute: achieved,
  attempts: 1,
  ok: 1,
  throttled: 0,
  tokenThrottled: 0,
  throttledShare: 0,
  serverErrors: 0,
  clientErrors: 0,
  failed: 0,
  latencyMs: { p50: 1, p95: 1, p99: 1, max: 1 },
  endToEndScenarioMs: { p50: 1, p95: 1, p99: 1, max: 1 },
});

describe('underTarget', () => {
  it('fails a planned replay of a scenario within budget below 90 % of its target, naming the cause', () => {
    expect(underTarget(result(899), 'ok')).toMatch(/achieved 899\/min, 89\.9 % of the target 1000\/min \(below 90 %\).*could not keep up/);
    expect(underTarget(result(900), 'ok')).toBeUndefined();
  });

  it('does not judge naive replays or scenarios over budget (they fall short on purpose)', () => {
    expect(underTarget(result(250, 'naive'), 'ok')).toBeUndefined();
    expect(underTarget(result(250), 'throttling-expected')).toBeUndefined();
  });
});

describe('npm run rehearse: the <90 % rule', () => {
  jest.setTimeout(180_000);

  it('fails when the window is too short for the machine to keep up (in-process simulator)', async () => {
    // 15000 requests per scenario minute squeezed into 200 ms windows: no machine keeps up.
    const r = await rehearse(['--scenario', 'agent-scripts', '--planned', '--minute-ms', '200', '--load-scale', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAIL: agent-scripts: the planned replay achieved \d+\/min, [\d.]+ % of the target 15000\/min \(below 90 %\)/);
    expect(r.stderr).toContain('could not keep up');
  });

  it('fails the same way against a running simulator (--url), and says to lengthen its window', async () => {
    const sim = await startSimulator({ minuteMs: 200 });
    try {
      const r = await rehearse(['--scenario', 'agent-scripts', '--planned', '--url', sim.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /FAIL: agent-scripts: the planned replay achieved .*below 90 %.*restart http:\/\/127\.0\.0\.1:\d+ with a longer --minute-ms/,
      );
    } finally {
      await sim.stop();
    }
  });

  it('passes a scenario that reaches its rate', async () => {
    const r = await rehearse(['--scenario', 'screen-recording', '--planned', '--seconds', '30']);
    expect(r.stderr).not.toContain('FAIL');
    expect(r.code).toBe(0);
  });

  it("enforces the environment's declared endpoint limits in the simulator", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-rehearse-'));
    const raw: any = exampleInput();
    raw.genesys.endpointLimits = [
      { method: 'GET', path: '/api/v2/recordings/screensessions/details', requestsPerMinute: 300, scope: 'org' },
    ];
    writeFileSync(path.join(dir, 'example.json'), JSON.stringify(raw));
    const r = await rehearse(['--scenario', 'screen-recording', '--planned', '--seconds', '60', '--json'], { LOADLAB_ENV_DIR: dir });
    // 600/min against an org-wide 300/min: the planner says over budget, and the simulator throttles the replay.
    const [res] = JSON.parse(r.stdout) as RehearsalResult[];
    expect(res.throttled).toBeGreaterThan(0);
  });
});
