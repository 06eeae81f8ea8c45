/**
 * OAuth client secrets over the whole synthesized app: written to Secrets Manager by the genesys
 * stack only, never a literal, never output, read by no other stack's state; every secret has a
 * resource policy naming its reader and the environment's secrets key.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../../lib/config';
import { exampleInput, loadFrom, synthEnvironment, type SynthesizedStack } from '../helpers/env';

type Body = Record<string, any>;
const byType = (json: SynthesizedStack, type: string): Body[] => Object.values(json.resource?.[type] ?? {}) as Body[];

/** The example with one scenario of `virtualUsers` agents polling scripts (a few runner clients). */
function scriptsEnv(virtualUsers: number): Environment {
  const input = exampleInput() as Record<string, any>;
  input.loadProfile = {
    shards: 1,
    headroomPercent: 20,
    maxThreadsPerShard: 250,
    scenarios: [
      {
        name: 'agent-scripts',
        endpoints: [{ method: 'GET', path: '/api/v2/scripts' }],
        virtualUsers,
        requestsPerUserPerMinute: 30,
        durationSec: 600,
      },
    ],
  };
  return loadFrom({ example: input }, 'example', 'example');
}

describe('secrets', () => {
  const SENTINEL_ID = 'sentinel-client-id-7f3a';
  const SENTINEL_SECRET = 'sentinel-client-secret-9c1e';

  /** Synthesizes the whole app to disk; returns each stack's cdk.tf.json text. */
  function synthToDisk(env: Environment): Record<string, string> {
    const saved = { id: process.env.GENESYSCLOUD_OAUTHCLIENT_ID, secret: process.env.GENESYSCLOUD_OAUTHCLIENT_SECRET };
    process.env.GENESYSCLOUD_OAUTHCLIENT_ID = SENTINEL_ID;
    process.env.GENESYSCLOUD_OAUTHCLIENT_SECRET = SENTINEL_SECRET;
    try {
      const { app } = synthEnvironment(env);
      app.synth();
      const dir = path.join(app.outdir, 'stacks');
      expect(existsSync(dir)).toBe(true);
      return Object.fromEntries(readdirSync(dir).map((s) => [s, readFileSync(path.join(dir, s, 'cdk.tf.json'), 'utf8')]));
    } finally {
      for (const [key, value] of [
        ['GENESYSCLOUD_OAUTHCLIENT_ID', saved.id],
        ['GENESYSCLOUD_OAUTHCLIENT_SECRET', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }

  let files: Record<string, string> = {};
  beforeAll(() => {
    files = synthToDisk(scriptsEnv(600));
  });

  it('writes every stack, including the genesys stack', () => {
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['example-archive', 'example-genesys', 'example-runners']));
  });

  it('no cdk.tf.json holds the provider credentials or any client secret literal', () => {
    for (const [stack, text] of Object.entries(files)) {
      expect({ stack, leaks: text.includes(SENTINEL_SECRET) || text.includes(SENTINEL_ID) }).toEqual({ stack, leaks: false });
      // Every client secret is a Terraform expression, never a value.
      for (const m of text.matchAll(/"(client_secret|clientSecret|oauthclient_secret)"\s*:\s*"([^"]*)"/g)) {
        expect({ stack, key: m[1], value: m[2] }).toEqual({ stack, key: m[1], value: expect.stringMatching(/^\$\{.+\}$/) });
      }
    }
    const genesys = JSON.parse(files['example-genesys']) as SynthesizedStack;
    expect(genesys.provider?.genesyscloud).toEqual([{ aws_region: 'us-east-1' }]);
  });

  it('each client secret is written to Secrets Manager by the genesys stack, and by no other stack', () => {
    const genesys = JSON.parse(files['example-genesys']) as SynthesizedStack;
    const clients = Object.keys(genesys.resource?.genesyscloud_oauth_client ?? {});
    const versions = byType(genesys, 'aws_secretsmanager_secret_version');
    expect(versions.length).toBe(clients.length);
    // Each version stores one client of this stack, by reference to its own resource.
    const stored = versions.map(
      (v) => /"clientSecret":"\$\{genesyscloud_oauth_client\.([^.]+)\.client_secret\}"/.exec(String(v.secret_string))?.[1],
    );
    expect([...stored].sort()).toEqual([...clients].sort());
    // No output of the genesys stack carries a secret, sensitive or not.
    for (const [name, o] of Object.entries(genesys.output ?? {}))
      expect({ name, secret: JSON.stringify(o.value).includes('client_secret') }).toEqual({ name, secret: false });
    for (const [stack, text] of Object.entries(files)) {
      if (stack === 'example-genesys') continue;
      const json = JSON.parse(text) as SynthesizedStack;
      expect({ stack, versions: byType(json, 'aws_secretsmanager_secret_version').length }).toEqual({ stack, versions: 0 });
      expect({ stack, secretRefs: text.match(/\.client_secret\}/g) ?? [] }).toEqual({ stack, secretRefs: [] });
      expect({ stack, readsGenesysState: text.includes('cross-stack-reference-input-example-genesys') }).toEqual({
        stack,
        readsGenesysState: false,
      });
    }
  });

  it('every secret has a resource policy naming its reader and the secrets key, not the archive key', () => {
    const genesys = JSON.parse(files['example-genesys']) as SynthesizedStack;
    const secrets = Object.entries(genesys.resource?.aws_secretsmanager_secret ?? {}) as [string, Body][];
    const policies = byType(genesys, 'aws_secretsmanager_secret_policy');
    const keys = Object.keys(genesys.resource?.aws_kms_key ?? {});
    expect(keys).toHaveLength(1);
    expect(secrets.length).toBe(byType(genesys, 'genesyscloud_oauth_client').length);
    for (const [address, secret] of secrets) {
      expect({ address, key: secret.kms_key_id }).toEqual({ address, key: `\${aws_kms_key.${keys[0]}.arn}` });
      const policy = policies.find((p) => p.secret_arn === `\${aws_secretsmanager_secret.${address}.arn}`);
      const statements = JSON.parse(String(policy?.policy)).Statement as {
        Sid: string;
        Effect: string;
        Condition: Record<string, Record<string, unknown>>;
      }[];
      const reader = statements.find((st) => st.Sid === 'ReaderGetsValue')!.Condition.ArnEquals['aws:PrincipalArn'];
      expect(reader).toMatch(/^arn:aws:iam::111122223333:role\/loadlab-example-(runner-\d+|metadata-worker|report-jobs)$/);
      const deny = statements.find((st) => st.Sid === 'NoOneElseGetsValue')!;
      expect(deny.Effect).toBe('Deny');
      expect(deny.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
        reader,
        ...['deploy', 'main-plan', 'teardown'].map((r) => `arn:aws:iam::111122223333:role/loadlab-ci-${r}`),
      ]);
    }
    const archive = files['example-archive'];
    expect(archive).not.toContain('loadlab-example-secrets');
  });

  it('names as readers exactly the roles the runners stack creates', () => {
    const genesys = JSON.parse(files['example-genesys']) as SynthesizedStack;
    const runners = JSON.parse(files['example-runners']) as SynthesizedStack;
    const readers = byType(genesys, 'aws_secretsmanager_secret_policy').map(
      (p) => (JSON.parse(String(p.policy)).Statement[0].Condition.ArnEquals['aws:PrincipalArn'] as string).split('/')[1],
    );
    const roles = byType(runners, 'aws_iam_role').map((r) => String(r.name));
    for (const reader of readers) expect({ reader, created: roles.includes(reader) }).toEqual({ reader, created: true });
    // And each runner secret is read by the shard role the runners stack grants it to.
    const grants = byType(runners, 'aws_secretsmanager_secret' as never);
    expect(grants).toEqual([]);
    const lookups = Object.values((runners.data as Record<string, Record<string, Body>>).aws_secretsmanager_secret).map((d) =>
      String(d.name),
    );
    expect([...lookups].sort()).toEqual(
      byType(genesys, 'aws_secretsmanager_secret')
        .map((s) => String(s.name))
        .sort(),
    );
  });
});
