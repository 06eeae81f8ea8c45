import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exampleInput } from '../helpers/env';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');

/** A stand-in for login.<domain> and api.<domain> on 127.0.0.1, answering with the recorded fixtures. */
function fakeGenesys(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/oauth/token') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok', expires_in: 3600 }));
      return;
    }
    const m = /^\/api\/v2\/organizations\/limits\/namespaces\/([a-z.]+)$/.exec(req.url ?? '');
    const file = m && { 'platform.api': 'limits-platform-api.json', 'event.orchestration': 'limits-event-orchestration.json' }[m[1]];
    if (req.headers.authorization === 'Bearer tok' && file) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(path.join(FIXTURES, file)));
      return;
    }
    const inline: Record<string, unknown> = {
      // Shapes as the limits API answers; keys of these namespaces are not published by Genesys (test values).
      messaging: { entities: [{ key: 'messages.send.rate.per.second', namespace: 'messaging', value: 100 }] },
    };
    if (req.headers.authorization === 'Bearer tok' && m && inline[m[1]]) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(inline[m[1]]));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/limits-fetch.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run limits:fetch', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => ({ server, base } = await fakeGenesys()));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const creds = { GENESYSCLOUD_OAUTHCLIENT_ID: 'id', GENESYSCLOUD_OAUTHCLIENT_SECRET: 'secret' };

  function envDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-limits-'));
    const raw: any = exampleInput();
    raw.name = 'staging';
    raw.genesys.limits = { 'auth.token.creation.rate.per.minute': 60 };
    writeFileSync(path.join(dir, 'staging.json'), JSON.stringify(raw, null, 2));
    return dir;
  }

  it('writes the live values into genesys.limits and keeps the rest of the file', async () => {
    const dir = envDir();
    const before = JSON.parse(readFileSync(path.join(dir, 'staging.json'), 'utf8'));
    const res = await run(['--env', 'staging', '--api-base', base, '--login-base', base], { ...creds, LOADLAB_ENV_DIR: dir });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('[1/2] platform.api: 5 limits (1 malformed entries skipped)');
    expect(res.stdout).toContain('  platform.api some.future.limit.per.minute = 42');
    const after = JSON.parse(readFileSync(path.join(dir, 'staging.json'), 'utf8'));
    expect(after.genesys.limits).toMatchObject({
      'auth.token.creation.rate.per.minute': 60,
      'client.credentials.token.rate.per.minute': 600,
      'token.rate.per.minute': 600,
      'event.orchestration.workflow.invocations.per.minute': 9000,
    });
    delete after.genesys.limits;
    delete before.genesys.limits;
    expect(after).toEqual(before);
  });

  it('--dry-run changes nothing', async () => {
    const dir = envDir();
    const text = readFileSync(path.join(dir, 'staging.json'), 'utf8');
    const res = await run(['--env', 'staging', '--api-base', base, '--login-base', base, '--dry-run'], { ...creds, LOADLAB_ENV_DIR: dir });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('--dry-run: ');
    expect(readFileSync(path.join(dir, 'staging.json'), 'utf8')).toBe(text);
  });

  it('refuses to run without credentials, and fails clearly when the API refuses', async () => {
    const dir = envDir();
    const noCreds = await run(['--env', 'staging', '--api-base', base, '--login-base', base], {
      LOADLAB_ENV_DIR: dir,
      GENESYSCLOUD_OAUTHCLIENT_ID: '',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: '',
    });
    expect(noCreds.status).toBe(2);
    expect(noCreds.stderr).toContain('set GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET');
    const missingNs = await run(['--env', 'staging', '--api-base', base, '--login-base', base, '--namespace', 'analytics'], {
      ...creds,
      LOADLAB_ENV_DIR: dir,
    });
    expect(missingNs.status).toBe(1);
    expect(missingNs.stderr).toContain('error: namespace analytics: GET');
    expect(missingNs.stderr).not.toMatch(/^\s+at /m);
  });

  it('refreshes declared endpoint limits that name a limits API key (per second -> per minute)', async () => {
    const dir = envDir();
    const file = path.join(dir, 'staging.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const SEND = '/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages';
    raw.genesys.endpointLimits = [
      {
        method: 'POST',
        path: SEND,
        requestsPerMinute: 3000,
        scope: 'org',
        namespace: 'messaging',
        apiKey: 'messages.send.rate.per.second',
      },
      { method: 'GET', path: '/api/v2/scripts', requestsPerMinute: 100, scope: 'token' },
    ];
    writeFileSync(file, JSON.stringify(raw, null, 2));
    const res = await run(['--env', 'staging', '--api-base', base, '--login-base', base], { ...creds, LOADLAB_ENV_DIR: dir });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`POST ${SEND} (org) = 6000 requests/min from messaging messages.send.rate.per.second (was 3000)`);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.genesys.endpointLimits[0].requestsPerMinute).toBe(6000);
    expect(after.genesys.endpointLimits[1]).toEqual(raw.genesys.endpointLimits[1]);
  });
});
