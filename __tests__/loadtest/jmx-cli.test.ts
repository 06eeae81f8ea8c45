import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function jmx(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/jmx.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('npm run jmx', () => {
  it('writes the plan and its summary, and shows a hand run that keeps the secret off the command line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jmx-cli-'));
    const out = path.join(dir, 'agent-scripts.jmx');
    const res = jmx(['--env', 'example', '--scenario', 'agent-scripts', '--out', out, '--summary']);
    expect(res.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(path.join(dir, 'agent-scripts.summary.json'))).toBe(true);
    expect(res.stdout).toMatch(/^wrote \S+agent-scripts\.jmx and \S+agent-scripts\.summary\.json$/m);
    expect(res.stdout).toContain('-q loadtest/image/loadlab.properties -q client.properties');
    expect(res.stdout).not.toMatch(/-JCLIENT_(ID|SECRET)/);
  });
});
