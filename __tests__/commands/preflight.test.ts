/**
 * `npm run preflight` end to end against the simulator: every fact ✓ when the org answers as the
 * defaults assume; ✗ with the right field and value for each fact the simulator answers
 * otherwise, which --write then puts into the file; ? when the API refuses; exit 2 on bad input.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runMain } from '../../lib/cli';
import { ANALYTICS_AVAILABILITY_TOPIC } from '../../lib/contracts/topics';
import { roleName, ROLE_SUFFIX, type Caller } from '../../lib/genesys-tenant/permissions';
import { TOKEN_CREATION_LIMIT } from '../../lib/genesys-facts/limits';
import { checkedLimits, checkLimits, type FactLine } from '../../commands/preflight-checks';
import { createGenesysClient } from '../../lib/genesys-client';
import { lineDiff, PREFLIGHT_USAGE, PreflightError, preflightMain } from '../../commands/preflight';
import { startSimulator, type SimulatorOptions, type Simulator } from '../../sim/server';
import type { OrgFactsOverrides } from '../../sim/org-facts';
import { exampleInput } from '../helpers/env';

const PREFIX = 'loadlab-example';
const ROLES = (Object.keys(ROLE_SUFFIX) as Caller[]).map((c) => roleName(PREFIX, c));

interface Setup {
  readonly orgFacts?: OrgFactsOverrides;
  readonly limits?: SimulatorOptions['limits'];
  /** Roles the Terraform client holds (default all three). */
  readonly terraformRoles?: readonly string[];
  /** Permissions of the admin client (default every one). */
  readonly adminPermissions?: readonly string[];
}

async function withOrg<T>(setup: Setup, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({
    minuteMs: 60_000,
    clients: [{ id: 'admin', secret: 'admin-secret' }],
    limits: setup.limits,
    orgFacts: setup.orgFacts,
    authorization: {
      roles: [
        { name: 'admin', permissions: setup.adminPermissions ?? ['*'] },
        ...ROLES.map((name) => ({ name, permissions: ['scripts:script:view'] })),
      ],
      oauthClients: [
        { id: 'admin', name: 'admin', roles: ['admin'] },
        { id: 'terraform', name: 'terraform', roles: setup.terraformRoles ?? ROLES },
      ],
    },
  });
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

/** Runs the command as `npm run preflight` would, in a folder with a copy of the example file. */
async function preflight(sim: Simulator, args: string[] = [], dir = envDir(), extraEnv: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const errors: string[] = [];
  const env = {
    LOADLAB_ENV_DIR: dir,
    GENESYSCLOUD_ADMIN_CLIENT_ID: 'admin',
    GENESYSCLOUD_ADMIN_CLIENT_SECRET: 'admin-secret',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'terraform',
    ...extraEnv,
  };
  const argv = ['--env', 'example', '--api-base', sim.url, '--login-base', sim.url, ...args];
  const code = await runMain(
    preflightMain({ argv, env, log: (l) => out.push(...l.split('\n')), client: { ratePerMinute: 60_000 } }),
    { usage: PREFLIGHT_USAGE, expected: [[PreflightError, 1]] },
    { error: (l) => errors.push(l), env },
  );
  const facts = out.filter((l) => /^[✓✗?] /.test(l));
  const line = (fact: string) => facts.find((l) => l.slice(2).startsWith(`${fact}:`)) ?? `(no line for ${fact})`;
  return { code, out, errors, facts, line, dir };
}

function envDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-preflight-'));
  writeFileSync(path.join(dir, 'example.json'), JSON.stringify(exampleInput(), null, 2) + '\n');
  return dir;
}

const FACTS = [
  'integration type id',
  'bucket name property',
  'credentials key',
  'credential type',
  'credential field',
  ...exampleInput().genesys.eventBridge!.topics!.map((t) => `topic ${t}`),
  ...checkedLimits().map((l) => `limit ${l.name}`),
  ...ROLES.map((r) => `role ${r}`),
];

describe('npm run preflight against the simulator', () => {
  it('confirms every fact when the org answers as the defaults assume: one ✓ line per fact, exit 0', async () => {
    await withOrg({}, async (sim) => {
      const r = await preflight(sim);
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.facts.map((l) => l.slice(2, l.indexOf(':', 2)))).toEqual(FACTS);
      expect(r.facts.every((l) => l.startsWith('✓ '))).toBe(true);
      expect(r.line('integration type id')).toBe('✓ integration type id: aws-s3-recording-bulk-actions-integration');
      expect(r.line(`limit ${TOKEN_CREATION_LIMIT}`)).toBe(`✓ limit ${TOKEN_CREATION_LIMIT}: 120`);
      expect(r.out).toContain(`${FACTS.length} confirmed, 0 to fix, 0 unanswered. What each fact means: docs/unconfirmed-facts.md`);
    });
  });

  it('names the field and value for every fact the org answers differently; --write sets them (diff shown) and a rerun confirms all', async () => {
    const orgFacts: OrgFactsOverrides = {
      recordingExportTypeId: 'aws-s3-recording-export',
      bucketNameProperty: 's3BucketName',
      credentialsKey: 'awsRole',
      credentialType: 'awsRoleArn',
      credentialField: 'roleArn',
      websocketOnlyTopics: [ANALYTICS_AVAILABILITY_TOPIC],
    };
    await withOrg({ orgFacts, limits: { tokenCreationPerClient: 60, perToken: 250 } }, async (sim) => {
      const r = await preflight(sim);
      expect(r.code).toBe(1);
      const set = (field: string, value: unknown) => `set ${field} to ${JSON.stringify(value)}`;
      expect(r.line('integration type id')).toMatch(/^✗ .*"aws-s3-recording-bulk-actions-integration" does not exist/);
      expect(r.line('integration type id')).toContain(set('genesys.recordingExport.integrationType', 'aws-s3-recording-export'));
      expect(r.line('bucket name property')).toContain(set('genesys.recordingExport.bucketNameProperty', 's3BucketName'));
      expect(r.line('credentials key')).toContain(set('genesys.recordingExport.credentialsKey', 'awsRole'));
      expect(r.line('credential type')).toContain(set('genesys.recordingExport.credentialType', 'awsRoleArn'));
      expect(r.line('credential field')).toContain(set('genesys.recordingExport.credentialField', 'roleArn'));
      const kept = exampleInput().genesys.eventBridge!.topics!.filter((t) => t !== ANALYTICS_AVAILABILITY_TOPIC);
      expect(r.line(`topic ${ANALYTICS_AVAILABILITY_TOPIC}`)).toMatch(/^✗ .*offered over Websocket only; remove it/);
      expect(r.line(`topic ${ANALYTICS_AVAILABILITY_TOPIC}`)).toContain(set('genesys.eventBridge.topics', kept));
      expect(r.line(`topic ${kept[0]}`)).toMatch(/^✓ /);
      expect(r.line(`limit ${TOKEN_CREATION_LIMIT}`)).toContain(set(`genesys.limits.${TOKEN_CREATION_LIMIT}`, 60));
      expect(r.line('limit client.credentials.token.rate.per.minute')).toContain(
        set('genesys.limits.client.credentials.token.rate.per.minute', 250),
      );
      expect(r.line('limit org.app.user.rate.per.minute')).toMatch(/^✓ /);
      expect(r.facts.filter((l) => l.startsWith('✗ '))).toHaveLength(9);
      expect(r.out).toContain(
        "Run again with --write to set the org's values in " + path.relative(process.cwd(), path.join(r.dir, 'example.json')) + '.',
      );

      const written = await preflight(sim, ['--write'], r.dir);
      expect(written.code).toBe(1);
      expect(written.out).toContain(`--write: ${path.relative(process.cwd(), path.join(r.dir, 'example.json'))}`);
      expect(written.out).toContainEqual(expect.stringMatching(new RegExp(`^- +"${ANALYTICS_AVAILABILITY_TOPIC.replace(/\./g, '\\.')}"$`)));
      expect(written.out).toContainEqual(expect.stringMatching(/^\+ +"credentialField": "roleArn",?$/));
      expect(written.out).toContainEqual(expect.stringMatching(new RegExp(`^\\+ +"${TOKEN_CREATION_LIMIT.replace(/\./g, '\\.')}": 60,?$`)));
      const file = JSON.parse(readFileSync(path.join(r.dir, 'example.json'), 'utf8'));
      expect(file.genesys.recordingExport).toMatchObject({
        integrationType: 'aws-s3-recording-export',
        credentialType: 'awsRoleArn',
        credentialField: 'roleArn',
        credentialsKey: 'awsRole',
        bucketNameProperty: 's3BucketName',
      });
      expect(file.genesys.eventBridge.topics).toEqual(kept);
      expect(file.genesys.limits[TOKEN_CREATION_LIMIT]).toBe(60);
      expect(file.loadProfile).toEqual(exampleInput().loadProfile);

      const again = await preflight(sim, [], r.dir);
      expect(again.facts.filter((l) => !l.startsWith('✓ '))).toEqual([]);
      expect(again.code).toBe(0);
    });
  });

  it('answers ? with the permission when the API refuses, and ✗ with the bootstrap fix when the Terraform client lacks a role', async () => {
    const orgFacts = { withheldPermissions: ['integrations:integration:view'] };
    await withOrg({ orgFacts, terraformRoles: ROLES.slice(1) }, async (sim) => {
      const r = await preflight(sim);
      expect(r.code).toBe(1);
      for (const fact of FACTS.slice(0, 5)) {
        expect(r.line(fact)).toMatch(/^\? .*refused \(HTTP 403\); the admin client needs integrations:integration:view$/);
      }
      expect(r.line(`role ${ROLES[0]}`)).toMatch(/^✗ .*lacks it in division\(s\) .*; run npm run bootstrap -- --env example/);
      expect(r.line(`role ${ROLES[1]}`)).toMatch(/^✓ /);
    });
    await withOrg({ adminPermissions: ['integrations:integration:view', 'authorization:role:view'] }, async (sim) => {
      const r = await preflight(sim);
      expect(r.line(`role ${ROLES[0]}`)).toBe(
        `? role ${ROLES[0]}: GET /api/v2/oauth/clients/terraform refused (HTTP 403); the admin client needs oauth:client:view`,
      );
      expect(r.code).toBe(1);
    });
  });

  it('bad input: one line naming what is wrong, exit 2, nothing checked', async () => {
    await withOrg({}, async (sim) => {
      const noCreds = await preflight(sim, [], envDir(), { GENESYSCLOUD_ADMIN_CLIENT_SECRET: '' });
      expect(noCreds.code).toBe(2);
      expect(noCreds.errors).toEqual(['error: GENESYSCLOUD_ADMIN_CLIENT_SECRET is not set (see npm run preflight -- --help)']);
      expect(noCreds.out).toEqual([]);
      const badFlag = await preflight(sim, ['--wrte']);
      expect(badFlag.code).toBe(2);
      expect(badFlag.errors[0]).toMatch(/^error: unknown option --wrte/);
      const badUrl = await preflight(sim, ['--api-base', 'ftp://x']);
      expect(badUrl.code).toBe(2);
      expect(badUrl.errors).toEqual([expect.stringMatching(/^error: --api-base must be an http\(s\) URL/)]);
      const wrongSecret = await preflight(sim, [], envDir(), { GENESYSCLOUD_ADMIN_CLIENT_SECRET: 'nope' });
      expect(wrongSecret.code).toBe(1);
      expect(wrongSecret.errors[0]).toMatch(/^error: token: .* refused the admin client .*check GENESYSCLOUD_ADMIN_CLIENT_ID/);
    });
  });
});

describe('limits the org does not report', () => {
  it('are ? until the environment sets the value Genesys support gave, then ✓', async () => {
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    // An org whose limits API lists nothing: every namespace answers an empty listing.
    const api = createGenesysClient({
      apiBase: 'https://api.example',
      loginBase: 'https://login.example',
      clientId: 'a',
      clientSecret: 'b',
      ratePerMinute: 60_000,
      fetch: async (url) => (String(url).endsWith('/oauth/token') ? json({ access_token: 't', expires_in: 3600 }) : json({ entities: [] })),
    });
    const before = await checkLimits(api, {});
    const creation = (lines: FactLine[]) => lines.find((l) => l.fact === `limit ${TOKEN_CREATION_LIMIT}`);
    expect(creation(before)).toEqual({
      mark: '?',
      fact: `limit ${TOKEN_CREATION_LIMIT}`,
      text: `the org's auth.api namespace does not report it; ask Genesys support for the value and set genesys.limits.${TOKEN_CREATION_LIMIT} (default 120)`,
    });
    expect(before.every((l) => l.mark === '?')).toBe(true);
    const after = await checkLimits(api, { [TOKEN_CREATION_LIMIT]: 300 });
    expect(creation(after)).toMatchObject({ mark: '✓', text: expect.stringMatching(/^300, set in genesys\.limits/) });
  });
});

describe('simulator org facts', () => {
  it('change while running through PUT /__sim/org-facts; unknown keys are refused', async () => {
    await withOrg({}, async (sim) => {
      const put = (body: unknown) =>
        fetch(`${sim.url}/__sim/org-facts`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await put({ credentialField: 'RoleArn' })).status).toBe(200);
      expect(sim.orgFacts.current.credentialField).toBe('RoleArn');
      const r = await preflight(sim);
      expect(r.line('credential field')).toContain('set genesys.recordingExport.credentialField to "RoleArn"');
      expect((await put({ colour: 'blue' })).status).toBe(400);
    });
  });
});

describe('lineDiff', () => {
  it('lists removed and added lines only', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc\nd')).toEqual(['+ x', '- b', '+ d']);
  });
});
