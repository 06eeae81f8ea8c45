/**
 * Runs loadtest/entrypoint.sh for real with stand-in `aws` and `jmeter` commands on PATH: a folder
 * plays S3, a file plays Secrets Manager, and the fake JMeter records its arguments and writes a JTL.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ENTRYPOINT = path.resolve(__dirname, '..', '..', 'loadtest', 'entrypoint.sh');

const FAKE_AWS = `#!/usr/bin/env bash
set -euo pipefail
echo "aws $*" >> "$FAKE_ROOT/aws.log"
s3path() { echo "$FAKE_ROOT/s3/\${1#s3://}"; }
if [[ "$1" == s3 && "$2" == cp ]]; then
  shift 2; [[ "$1" == --only-show-errors ]] && shift
  src="$1"; dst="$2"
  if [[ "$src" == s3://* ]]; then [[ -f "$(s3path "$src")" ]] || { echo "NoSuchKey $src" >&2; exit 1; }; cp "$(s3path "$src")" "$dst"
  else mkdir -p "$(dirname "$(s3path "$dst")")"; cp "$src" "$(s3path "$dst")"; fi
elif [[ "$1" == secretsmanager ]]; then
  cat "$FAKE_ROOT/secret.json"
else
  echo "unexpected aws call: $*" >&2; exit 9
fi
`;

const FAKE_JMETER = `#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$@" > "$FAKE_ROOT/jmeter.args"
date -u +%s%3N > "$FAKE_ROOT/jmeter.started"
jtl=""; q=""
while (($#)); do case "$1" in -l) jtl="$2"; shift 2;; -q) q="$2"; shift 2;; *) shift;; esac; done
cp "$q" "$FAKE_ROOT/secret.seen"; stat -c %a "$q" > "$FAKE_ROOT/secret.mode"
printf 'timeStamp,elapsed,label,responseCode,success\\n1700000000000,12,GET /api/v2/scripts,200,true\\n' > "$jtl"
echo "jmeter log" > "\${jtl%.jtl}.log"
# Results are on disk: from here a stop finds something to upload.
touch "$FAKE_ROOT/jmeter.ready"
if [[ -n "\${FAKE_JMETER_SLEEP:-}" ]]; then sleep "$FAKE_JMETER_SLEEP" & wait $!; fi
exit "\${FAKE_JMETER_EXIT:-0}"
`;

interface Run {
  code: number | null;
  stderr: string;
  root: string;
}

function setup(secret = '{"clientId":"cid-1","clientSecret":"p@ss=w:rd\\\\x"}'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'loadlab-entry-'));
  mkdirSync(path.join(root, 'bin'));
  mkdirSync(path.join(root, 's3', 'bkt', 'results', 't1', 'plan'), { recursive: true });
  writeFileSync(path.join(root, 's3', 'bkt', 'results', 't1', 'plan', 'agent-scripts.jmx'), '<jmeterTestPlan/>');
  writeFileSync(path.join(root, 's3', 'bkt', 'results', 't1', 'plan', 'agent-scripts.params'), 'scriptId\nabc\n');
  writeFileSync(path.join(root, 'secret.json'), secret);
  for (const [name, text] of [
    ['aws', FAKE_AWS],
    ['jmeter', FAKE_JMETER],
  ] as const) {
    writeFileSync(path.join(root, 'bin', name), text);
    chmodSync(path.join(root, 'bin', name), 0o755);
  }
  return root;
}

const baseEnv = (root: string): Record<string, string> => ({
  PATH: `${path.join(root, 'bin')}:${process.env.PATH}`,
  FAKE_ROOT: root,
  WORK_DIR: path.join(root, 'work'),
  SHARD_INDEX: '3',
  SHARD_COUNT: '7',
  CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:loadlab/example/runner-3-AbCdEf',
  PLAN_S3_URI: 's3://bkt/results/t1/plan/agent-scripts.jmx',
  RESULTS_S3_URI: 's3://bkt/results/t1/shards/3/',
  GENESYS_API_BASE: 'https://api.mypurecloud.com',
  GENESYS_LOGIN_BASE: 'http://127.0.0.1:8089',
  TARGET_RPM: '2142.857',
  TOKENS_PER_SHARD: '9',
  THREADS: '72',
  DURATION_SEC: '1800',
});

function run(root: string, env: Record<string, string>, onStart?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', [ENTRYPOINT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr, root }));
    onStart?.(child.pid!);
  });
}

describe('loadtest/entrypoint.sh', () => {
  it('fetches the plan and ids, reads the secret into a private file, runs JMeter with the shard budget, uploads the JTL', async () => {
    const root = setup();
    const r = await run(root, { ...baseEnv(root), PARAMS_S3_URI: 's3://bkt/results/t1/plan/agent-scripts.params' });
    expect(r.stderr).toContain('shard 3 of 7');
    expect(r.code).toBe(0);
    const args = readFileSync(path.join(root, 'jmeter.args'), 'utf8').trim().split('\n');
    expect(args.slice(0, 2)).toEqual(['-n', '-t']);
    expect(args).toEqual(
      expect.arrayContaining([
        '-JAPI_PROTOCOL=https',
        '-JAPI_HOST=api.mypurecloud.com',
        '-JAPI_PORT=',
        '-JLOGIN_PROTOCOL=http',
        '-JLOGIN_HOST=127.0.0.1',
        '-JLOGIN_PORT=8089',
        '-JTARGET_RPM=2142.857',
        '-JTOKENS_PER_SHARD=9',
        '-JTHREADS=72',
        '-JDURATION_SEC=1800',
        `-JPARAMS_CSV=${path.join(root, 'work', 'params.csv')}`,
      ]),
    );
    expect(args.some((a) => a.startsWith('-JRAMP_UP_SEC'))).toBe(false); // unset: the plan's default
    // The secret is never on the command line; JMeter reads it from a 600 properties file, escaped.
    expect(args.join(' ')).not.toContain('p@ss');
    expect(readFileSync(path.join(root, 'secret.seen'), 'utf8')).toBe('CLIENT_ID=cid-1\nCLIENT_SECRET=p@ss\\=w\\:rd\\\\x\n');
    expect(readFileSync(path.join(root, 'secret.mode'), 'utf8').trim()).toBe('600');
    expect(existsSync(path.join(root, 'work', 'secret.properties'))).toBe(false);
    expect(r.stderr).not.toContain('p@ss');
    // Results land under the shard's prefix.
    expect(readFileSync(path.join(root, 's3', 'bkt', 'results', 't1', 'shards', '3', 'shard-3.jtl'), 'utf8')).toContain(
      'GET /api/v2/scripts',
    );
    expect(existsSync(path.join(root, 's3', 'bkt', 'results', 't1', 'shards', '3', 'shard-3.log'))).toBe(true);
  });

  it('waits for START_AT so all shards begin together', async () => {
    const root = setup();
    const startAt = new Date(Date.now() + 2500);
    const r = await run(root, { ...baseEnv(root), START_AT: startAt.toISOString() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/waiting \d+ s for START_AT/);
    expect(Number(readFileSync(path.join(root, 'jmeter.started'), 'utf8'))).toBeGreaterThanOrEqual(startAt.getTime());
  });

  it('uploads partial results and keeps the failure status when JMeter fails', async () => {
    const root = setup();
    const r = await run(root, { ...baseEnv(root), FAKE_JMETER_EXIT: '1', RESULTS_S3_URI: 's3://bkt/results/t1/shards/3/out.jtl' });
    expect(r.code).toBe(1);
    expect(existsSync(path.join(root, 's3', 'bkt', 'results', 't1', 'shards', '3', 'out.jtl'))).toBe(true);
    expect(existsSync(path.join(root, 's3', 'bkt', 'results', 't1', 'shards', '3', 'out.log'))).toBe(true);
  });

  it('on SIGTERM (ECS StopTask) stops JMeter and still uploads', async () => {
    const root = setup();
    const r = await run(root, { ...baseEnv(root), FAKE_JMETER_SLEEP: '30' }, (pid) => {
      // Stop once JMeter has written results (not merely started), as a running test would have.
      const waitForJmeter = setInterval(() => {
        if (existsSync(path.join(root, 'jmeter.ready'))) {
          clearInterval(waitForJmeter);
          process.kill(pid, 'SIGTERM');
        }
      }, 50);
    });
    expect(r.stderr).toContain('stop requested');
    expect(r.stderr).toContain('results uploaded to s3://bkt/results/t1/shards/3/shard-3.jtl');
    expect(statSync(path.join(root, 's3', 'bkt', 'results', 't1', 'shards', '3', 'shard-3.jtl')).size).toBeGreaterThan(0);
    expect(r.code).not.toBe(0);
  });

  it('refuses missing or malformed settings, naming them', async () => {
    const root = setup();
    const env = baseEnv(root);
    delete (env as Record<string, string | undefined>).CLIENT_SECRET_ARN;
    delete (env as Record<string, string | undefined>).RESULTS_S3_URI;
    let r = await run(root, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing environment variable(s): CLIENT_SECRET_ARN RESULTS_S3_URI');
    r = await run(root, { ...baseEnv(root), TARGET_RPM: 'fast' });
    expect(r.stderr).toContain("TARGET_RPM must be a number (got 'fast')");
    r = await run(root, { ...baseEnv(root), START_AT: 'tomorrow-ish' });
    expect(r.stderr).toContain("START_AT must be an ISO time such as 2026-11-23T10:00:00Z (got 'tomorrow-ish')");
    expect(r.code).toBe(2);
    const bad = setup('{"id":"x"}');
    r = await run(bad, baseEnv(bad));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the secret must be JSON {"clientId", "clientSecret"}');
    expect(existsSync(path.join(bad, 'jmeter.args'))).toBe(false);
  });
});
