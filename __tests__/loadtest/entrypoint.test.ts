/**
 * Runs loadtest/entrypoint.sh for real with stand-in `aws` and `jmeter` commands on PATH: a folder
 * plays S3, a file plays Secrets Manager, and the fake JMeter records its arguments and writes a JTL.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SHARD_EXIT_CODES } from '../../lib/runners/shard-exit';

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
  echo "region \${AWS_DEFAULT_REGION:-none}" >> "$FAKE_ROOT/aws.log"
  if [[ -n "\${FAKE_SECRET_FAIL:-}" ]]; then echo "An error occurred (ResourceNotFoundException): Secrets Manager can't find the specified secret." >&2; exit 254; fi
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
if [[ -n "\${FAKE_JTL:-}" ]]; then cp "$FAKE_JTL" "$jtl"
else printf 'timeStamp,elapsed,label,responseCode,success\\n1700000000000,12,GET /api/v2/scripts,200,true\\n' > "$jtl"; fi
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
  AWS_REGION: 'eu-west-1',
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
    const startAt = new Date(Date.now() + 6000);
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
    expect(r.code).toBe(SHARD_EXIT_CODES.STOPPED.code);
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
    expect(r.stderr).toContain(`must be JSON {"clientId", "clientSecret"} (KeyError: 'clientId')`);
    expect(r.stderr.match(/error:/g)).toHaveLength(1);
    expect(existsSync(path.join(bad, 'jmeter.args'))).toBe(false);
  });

  it('needs a region, and hands it to the AWS CLI as AWS_DEFAULT_REGION', async () => {
    const root = setup();
    const env = baseEnv(root);
    delete (env as Record<string, string | undefined>).AWS_REGION;
    const r = await run(root, env);
    expect(r.code).toBe(SHARD_EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain('missing environment variable(s): AWS_REGION');
    expect(existsSync(path.join(root, 'aws.log'))).toBe(false);
    expect((await run(root, baseEnv(root))).code).toBe(0);
    expect(readFileSync(path.join(root, 'aws.log'), 'utf8')).toContain('region eu-west-1');
  });

  it('a secret it cannot read stops it with one error naming the secret, not a second one about JSON', async () => {
    const root = setup();
    const r = await run(root, { ...baseEnv(root), FAKE_SECRET_FAIL: '1' });
    expect(r.code).toBe(SHARD_EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain("Secrets Manager can't find the specified secret");
    expect(r.stderr).toContain('error: could not read the OAuth client secret arn:aws:secretsmanager:');
    expect(r.stderr).not.toContain('JSON');
    expect(r.stderr.match(/error:/g)).toHaveLength(1);
    expect(existsSync(path.join(root, 'jmeter.args'))).toBe(false);
    expect(existsSync(path.join(root, 'work', 'secret.json'))).toBe(false);
  });

  it('SIGTERM while waiting for START_AT ends the shard at once, without running JMeter', async () => {
    const root = setup();
    const started = Date.now();
    const r = await run(root, { ...baseEnv(root), START_AT: new Date(Date.now() + 60_000).toISOString() }, (pid) => {
      const waitForWait = setInterval(() => {
        if (existsSync(path.join(root, 'aws.log')) && readFileSync(path.join(root, 'aws.log'), 'utf8').includes('secretsmanager')) {
          clearInterval(waitForWait);
          setTimeout(() => process.kill(pid, 'SIGTERM'), 300);
        }
      }, 50);
    });
    expect(r.code).toBe(SHARD_EXIT_CODES.STOPPED.code);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(path.join(root, 'jmeter.args'))).toBe(false);
    expect(existsSync(path.join(root, 'work', 'secret.properties'))).toBe(false);
  });

  it('refuses a check share outside 0..1', async () => {
    const root = setup();
    const r = await run(root, { ...baseEnv(root), MAX_ERROR_SHARE: '1.5' });
    expect(r.code).toBe(SHARD_EXIT_CODES.INPUT.code);
    expect(r.stderr).toContain("MAX_ERROR_SHARE must be a share from 0 to 1 (got '1.5')");
  });
});

/** A JTL as loadlab.properties writes it: `n` rows of label, code, success (and a message with a comma, quoted). */
const HEADER =
  'timeStamp,elapsed,label,responseCode,responseMessage,threadName,success,failureMessage,"loadlab_retry_after","loadlab_token_index"';
const rows = (n: number, label: string, code: string, success: boolean): string[] =>
  Array.from({ length: n }, (_, i) => `${1700000000000 + i},12,${label},${code},"msg, with comma",t 1-1,${success},,,0`);

describe('loadtest/entrypoint.sh: the exit code says whether the shard ran its load', () => {
  const runWith = async (lines: string[], extra: Record<string, string> = {}) => {
    const root = setup();
    writeFileSync(path.join(root, 'results.jtl'), [HEADER, ...lines].join('\n') + '\n');
    const r = await run(root, { ...baseEnv(root), TOKENS_PER_SHARD: '3', FAKE_JTL: path.join(root, 'results.jtl'), ...extra });
    // Whatever the verdict, the results are uploaded for the (partial) report.
    expect(existsSync(path.join(root, 's3', 'bkt', 'results', 't1', 'shards', '3', 'shard-3.jtl'))).toBe(true);
    return r;
  };
  const tokens = (ok: number, failed = 0) => [
    ...rows(ok, 'POST /oauth/token', '200', true),
    ...rows(failed, 'POST /oauth/token', 'Non HTTP response code: java.net.ConnectException', false),
  ];

  it('0 when it got its tokens and the shares are within the checks', async () => {
    const r = await runWith([
      ...tokens(3),
      ...rows(95, 'GET /api/v2/scripts/{scriptId}', '200', true),
      ...rows(4, 'GET /api/v2/x', '500', false),
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('ran its load: 99 requests, 4 failed (4.04 %), 0 answered 429 (0.00 %)');
  });

  it('4 when it got fewer tokens than planned (Genesys down: every token request failed)', async () => {
    const r = await runWith(tokens(0, 19));
    expect(r.code).toBe(SHARD_EXIT_CODES.TOKENS.code);
    expect(r.stderr).toContain('error: got 0 of 3 access tokens (19 token requests)');
    expect((await runWith([...tokens(2, 11), ...rows(50, 'GET /api/v2/x', '200', true)])).code).toBe(SHARD_EXIT_CODES.TOKENS.code);
  });

  it('5 when there are no requests besides token requests, or no results at all', async () => {
    const r = await runWith(tokens(3));
    expect(r.code).toBe(SHARD_EXIT_CODES.NO_SAMPLES.code);
    expect(r.stderr).toContain('no requests in the results (only 3 token requests)');
    expect((await runWith([])).code).toBe(SHARD_EXIT_CODES.NO_SAMPLES.code);
  });

  it('6 when the failed share (429 aside) is over MAX_ERROR_SHARE; the scenario may allow more', async () => {
    const lines = [...tokens(3), ...rows(90, 'GET /api/v2/x', '200', true), ...rows(10, 'GET /api/v2/x', '503', false)];
    const r = await runWith(lines);
    expect(r.code).toBe(SHARD_EXIT_CODES.ERRORS.code);
    expect(r.stderr).toContain('100 requests, 10 failed (10.00 %), 0 answered 429 (0.00 %): failed share over MAX_ERROR_SHARE 0.05');
    expect((await runWith(lines, { MAX_ERROR_SHARE: '0.2' })).code).toBe(0);
  });

  it('7 when the 429 share is over MAX_429_SHARE (429s are not counted as failures)', async () => {
    const lines = [...tokens(3), ...rows(80, 'GET /api/v2/x', '200', true), ...rows(20, 'GET /api/v2/x', '429', false)];
    const r = await runWith(lines);
    expect(r.code).toBe(SHARD_EXIT_CODES.THROTTLED.code);
    expect(r.stderr).toContain('0 failed (0.00 %), 20 answered 429 (20.00 %): 429 share over MAX_429_SHARE 0.05');
    expect((await runWith(lines, { MAX_429_SHARE: '1' })).code).toBe(0);
  });

  it('1 when JMeter itself fails, whatever the results say', async () => {
    const r = await runWith([...tokens(3), ...rows(10, 'GET /api/v2/x', '200', true)], { FAKE_JMETER_EXIT: '1' });
    expect(r.code).toBe(SHARD_EXIT_CODES.JMETER.code);
  });
});
