import { Testing, TerraformStack } from 'cdktf';
import { ConfigError, type Environment } from '../../lib/config';
import { findEndpoint } from '../../lib/genesys-facts/endpoints';
import { planBudget } from '../../lib/ratelimits';
import { ArchiveStack } from '../../stacks/archive-stack';
import { GenesysStack } from '../../stacks/genesys-stack';
import { RecordingExportPolicy } from '../../lib/genesys-tenant/recording-export';
import { exampleInput, loadFrom, synthEnvironment, synthJson, type SynthesizedStack } from '../helpers/env';

type Input = Record<string, any>;
type Body = Record<string, any>;

const ORG = '3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b';
const GENESYS_COMMERCIAL = '765628985471';
const GENESYS_FEDRAMP = '325654371633';

function envWith(edit: (input: Input) => void, name = 'example'): Environment {
  const input = exampleInput() as Input;
  edit(input);
  return loadFrom({ example: input }, name, 'example');
}

/**
 * The genesys stack of an environment, beside its archive stack (as the app builds them) but
 * without the runners stack, so these tests depend on nothing downstream of the genesys stack.
 */
function genesysOf(env: Environment) {
  const app = Testing.app();
  const budget = planBudget(env.config);
  const archive = env.config.archive.shareFrom ? undefined : new ArchiveStack(app, { env, budget });
  const genesys = new GenesysStack(app, { env, budget, archive: archive?.refs });
  return { stacks: { budget, archive, genesys }, json: synthJson(genesys) };
}

const byType = (json: SynthesizedStack, type: string): Body[] => Object.values(json.resource?.[type] ?? {}) as Body[];
const one = (json: SynthesizedStack, type: string): Body => {
  const all = byType(json, type);
  expect(all).toHaveLength(1);
  return all[0];
};
const roleNamed = (json: SynthesizedStack, name: string): Body => byType(json, 'genesyscloud_auth_role').find((r) => r.name === name)!;
const permissionsOfRole = (role: Body): string[] =>
  (role.permission_policies as { domain: string; entity_name: string; action_set: string[] }[])
    .flatMap((p) => p.action_set.map((a) => `${p.domain}:${p.entity_name}:${a}`))
    .sort();
/** `${genesyscloud_auth_role.<name>.id}` of a role resource. */
const roleRef = (json: SynthesizedStack, roleName: string): string => {
  const entry = Object.entries(json.resource!.genesyscloud_auth_role).find(([, r]) => r.name === roleName)!;
  return `\${genesyscloud_auth_role.${entry[0]}.id}`;
};

/** A scripts-only profile: `virtualUsers` agents polling scripts every 2 s. */
const scriptsProfile = (virtualUsers: number) => ({
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
});

describe('roles', () => {
  const { json } = genesysOf(envWith(() => undefined));

  it('creates exactly three environment-prefixed roles', () => {
    expect(
      byType(json, 'genesyscloud_auth_role')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['loadlab-example-metadata-worker', 'loadlab-example-report-worker', 'loadlab-example-runner']);
  });

  it('the runner role holds the first permission of each scenario endpoint, and nothing else', () => {
    const input = exampleInput() as Input;
    const expected = new Set<string>();
    for (const s of input.loadProfile.scenarios) {
      for (const ep of s.endpoints) {
        const anyOf = findEndpoint(ep.method, ep.path)!.anyOf;
        if (anyOf.length > 0) expected.add(anyOf[0]);
      }
    }
    expect(expected.size).toBeGreaterThan(2);
    expect(permissionsOfRole(roleNamed(json, 'loadlab-example-runner'))).toEqual([...expected].sort());
  });

  it('the metadata worker may view recordings and screen recordings only', () => {
    expect(permissionsOfRole(roleNamed(json, 'loadlab-example-metadata-worker'))).toEqual([
      'recording:recording:view',
      'recording:screenRecording:view',
    ]);
  });

  it('the report worker may view conversation details (jobs), rate-limit aggregates and client usage only', () => {
    expect(permissionsOfRole(roleNamed(json, 'loadlab-example-report-worker'))).toEqual([
      'analytics:conversationDetail:view',
      'analytics:rateLimitAggregate:view',
      'usage:client:view',
    ]);
  });

  it('no role has a wildcard domain, entity or action, and each domain + entity appears once per role', () => {
    for (const role of byType(json, 'genesyscloud_auth_role')) {
      const policies = role.permission_policies as { domain: string; entity_name: string; action_set: string[] }[];
      expect(JSON.stringify(policies)).not.toContain('*');
      expect(role.permissions).toBeUndefined();
      const keys = policies.map((p) => `${p.domain}:${p.entity_name}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('follows the scenarios: a messaging-only environment gets a messaging-only runner role', () => {
    const env = envWith((i) => {
      i.loadProfile.scenarios = [i.loadProfile.scenarios.find((s: Input) => s.name === 'messaging')];
    });
    const { json: messaging } = genesysOf(env);
    expect(permissionsOfRole(roleNamed(messaging, 'loadlab-example-runner'))).toEqual(['conversation:message:create']);
  });

  it('a scenario endpoint without known permissions is a config error naming the field', () => {
    const env = envWith((i) => {
      i.loadProfile.scenarios[0].endpoints = [{ method: 'GET', path: '/api/v2/users/me' }];
    });
    expect(() => genesysOf(env)).toThrow(ConfigError);
    expect(() => genesysOf(env)).toThrow(/loadProfile\.scenarios\[0\]\.endpoints\[0\] GET \/api\/v2\/users\/me has no known permissions/);
  });
});

describe('OAuth clients', () => {
  const small = envWith((i) => {
    i.loadProfile = scriptsProfile(20);
  });
  const large = envWith((i) => {
    i.loadProfile = scriptsProfile(3000);
    i.genesys.tokenValiditySec = { runner: 1800, worker: 7200, max: 7200 };
  });

  it.each([
    ['a small profile', small],
    ['a large profile', large],
    ['the example', envWith(() => undefined)],
  ])('%s gets one runner client per planned shard, named <prefix>-runner-<i>', (_, env) => {
    const { stacks, json } = genesysOf(env);
    const runners = byType(json, 'genesyscloud_oauth_client').filter((c) => /-runner-\d+$/.test(c.name));
    expect(runners).toHaveLength(stacks.budget.runnerClients);
    expect(runners.map((c) => c.name).sort()).toEqual(
      Array.from({ length: stacks.budget.runnerClients }, (_, i) => `loadlab-example-runner-${i}`).sort(),
    );
    expect(stacks.genesys.refs.runnerClients.map((c) => c.purpose)).toEqual(
      Array.from({ length: stacks.budget.runnerClients }, (_, i) => `runner-${i}`),
    );
  });

  it('two load profiles give different client counts', () => {
    const counts = [small, large].map((env) => genesysOf(env).stacks.budget.runnerClients);
    expect(counts[0]).toBe(1);
    expect(counts[1]).toBeGreaterThan(counts[0]);
  });

  it('plus one metadata-worker and one report-worker client; all CLIENT-CREDENTIALS with the secret exposed by reference', () => {
    const { stacks, json } = genesysOf(large);
    const clients = byType(json, 'genesyscloud_oauth_client');
    expect(clients).toHaveLength(stacks.budget.runnerClients + 2);
    expect(clients.filter((c) => c.name === 'loadlab-example-metadata-worker')).toHaveLength(1);
    expect(clients.filter((c) => c.name === 'loadlab-example-report-worker')).toHaveLength(1);
    for (const c of clients) {
      expect(c).toMatchObject({ authorized_grant_type: 'CLIENT-CREDENTIALS', expose_client_secret: true, state: 'active' });
      expect(c.client_secret).toBeUndefined();
      expect(c.scopes).toBeUndefined();
    }
  });

  it('token validity comes from genesys.tokenValiditySec (runner vs worker)', () => {
    const { json } = genesysOf(large);
    for (const c of byType(json, 'genesyscloud_oauth_client')) {
      expect(c.access_token_validity_seconds).toBe(/-runner-\d+$/.test(c.name) ? 1800 : 7200);
    }
    const { json: defaults } = genesysOf(small);
    for (const c of byType(defaults, 'genesyscloud_oauth_client')) expect(c.access_token_validity_seconds).toBe(3600);
  });

  it('each client holds only its own role, bound to the home division by default', () => {
    const { json } = genesysOf(small);
    const home = '${data.genesyscloud_auth_division_home.home-division.id}';
    expect(json.data?.genesyscloud_auth_division_home).toBeDefined();
    const expectRole = (clientName: string, roleName: string) => {
      const client = byType(json, 'genesyscloud_oauth_client').find((c) => c.name === clientName)!;
      expect(client.roles).toEqual([{ role_id: roleRef(json, roleName), division_id: home }]);
    };
    expectRole('loadlab-example-runner-0', 'loadlab-example-runner');
    expectRole('loadlab-example-metadata-worker', 'loadlab-example-metadata-worker');
    expectRole('loadlab-example-report-worker', 'loadlab-example-report-worker');
  });

  it('named divisions replace the home division: one grant per role and division', () => {
    const divisions = ['11111111-2222-4333-8444-555555555555', '66666666-7777-4888-9999-aaaaaaaaaaaa'];
    const { json } = genesysOf(
      envWith((i) => {
        i.loadProfile = scriptsProfile(20);
        i.genesys.divisionIds = divisions;
      }),
    );
    expect(json.data?.genesyscloud_auth_division_home).toBeUndefined();
    for (const c of byType(json, 'genesyscloud_oauth_client')) {
      expect((c.roles as Body[]).map((r) => r.division_id)).toEqual(divisions);
      expect(new Set((c.roles as Body[]).map((r) => r.role_id)).size).toBe(1);
    }
  });
});

describe('EventBridge integration', () => {
  it('is an ENABLED amazon-eventbridge-source with the AWS account, region, suffix and topic filter', () => {
    const { json } = genesysOf(envWith(() => undefined));
    const integration = byType(json, 'genesyscloud_integration').find((i) => i.integration_type === 'amazon-eventbridge-source')!;
    expect(integration.intended_state).toBe('ENABLED');
    expect(integration.config.name).toBe('loadlab-example-eventbridge');
    expect(JSON.parse(integration.config.advanced)).toEqual({});
    expect(JSON.parse(integration.config.properties)).toEqual({
      awsAccountId: '111122223333',
      awsAccountRegion: 'us-east-1',
      eventSourceSuffix: 'loadlab-example',
      eventFilter: [
        'v2.detail.events.conversation.{id}.customer.end',
        'v2.detail.events.conversation.{id}.acw',
        'v2.detail.events.conversation.{id}.user.end',
        'v2.analytics.conversations.details.jobs.availability',
      ],
    });
  });

  it('uses the configured suffix and topics, and the default topics when none are given', () => {
    const custom = envWith((i) => {
      i.aws = { accountId: '444455556666', region: 'eu-west-1' };
      i.genesys.eventBridge = { eventSourceSuffix: 'Perf_Lab.2026-q4', topics: ['v2.detail.events.conversation.{id}.acd.end'] };
    });
    const props = (env: Environment) =>
      JSON.parse(
        byType(genesysOf(env).json, 'genesyscloud_integration').find((i) => i.integration_type === 'amazon-eventbridge-source')!.config
          .properties,
      );
    expect(props(custom)).toEqual({
      awsAccountId: '444455556666',
      awsAccountRegion: 'eu-west-1',
      eventSourceSuffix: 'Perf_Lab.2026-q4',
      eventFilter: ['v2.detail.events.conversation.{id}.acd.end'],
    });
    const defaults = envWith((i) => {
      delete i.genesys.eventBridge;
    });
    expect(props(defaults).eventFilter).toEqual([
      'v2.detail.events.conversation.{id}.customer.end',
      'v2.detail.events.conversation.{id}.acw',
      'v2.detail.events.conversation.{id}.user.end',
      'v2.analytics.conversations.details.jobs.availability',
    ]);
  });

  it('outputs the partner event source name from the organizations_me data source and the suffix', () => {
    const { stacks, json } = genesysOf(envWith(() => undefined));
    expect(json.output?.partner_event_source_name.value).toBe(
      'aws.partner/genesys.com/cloud/${data.genesyscloud_organizations_me.org.id}/loadlab-example',
    );
    expect(stacks.genesys.refs.eventSourceSuffix).toBe('loadlab-example');
  });

  it('a pr-* environment gets its own suffix, so its event source never collides with the base', () => {
    const { json } = genesysOf(envWith(() => undefined, 'pr-42'));
    expect(json.output?.partner_event_source_name.value).toMatch(/\/loadlab-pr-42$/);
  });

  it('the plan fails when the provider credentials belong to another org than genesys.orgId', () => {
    const { json } = genesysOf(envWith(() => undefined));
    const org = (json.data?.genesyscloud_organizations_me as Record<string, Body>).org;
    expect(org.lifecycle.postcondition[0].condition).toBe(`\${self.id == "${ORG}"}`);
    expect(org.lifecycle.postcondition[0].error_message).toMatch(/genesys\.orgId/);
  });
});

describe('bad suffix or topic names are config errors naming the field', () => {
  const problemsOf = (edit: (i: Input) => void): string[] => {
    try {
      envWith(edit);
    } catch (err) {
      if (err instanceof ConfigError) return [...err.problems];
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    ['too long', 'x'.repeat(65)],
    ['a slash', 'loadlab/example'],
    ['a space', 'load lab'],
    ['empty', ''],
  ])('suffix with %s', (_, suffix) => {
    expect(problemsOf((i) => (i.genesys.eventBridge.eventSourceSuffix = suffix))).toEqual([
      expect.stringMatching(/genesys\.eventBridge\.eventSourceSuffix (must be 1-64 characters of letters, digits|must be at least 1)/),
    ]);
  });

  it('accepts a 64-character suffix', () => {
    expect(() => envWith((i) => (i.genesys.eventBridge.eventSourceSuffix = 'a'.repeat(64)))).not.toThrow();
  });

  it.each([
    ['no v2 prefix', 'detail.events.conversation.{id}.acw'],
    ['a wildcard', 'v2.detail.events.conversation.*.acw'],
    ['a space', 'v2.detail.events conversation'],
  ])('topic with %s', (_, topic) => {
    expect(problemsOf((i) => (i.genesys.eventBridge.topics = ['v2.detail.events.conversation.{id}.acw', topic]))).toEqual([
      expect.stringMatching(/genesys\.eventBridge\.topics\[1\] must be a Genesys notification topic such as v2\./),
    ]);
  });

  it('a repeated topic', () => {
    const t = 'v2.detail.events.conversation.{id}.acw';
    expect(problemsOf((i) => (i.genesys.eventBridge.topics = [t, t]))).toEqual([
      expect.stringMatching(/genesys\.eventBridge\.topics\[1\] is listed twice; remove the duplicate/),
    ]);
  });

  it('no topics', () => {
    expect(problemsOf((i) => (i.genesys.eventBridge.topics = []))).toEqual([
      expect.stringMatching(/genesys\.eventBridge\.topics must have at least 1 item/),
    ]);
  });
});

describe('recording export', () => {
  const exportIntegration = (json: SynthesizedStack) =>
    byType(json, 'genesyscloud_integration').find((i) => i.integration_type !== 'amazon-eventbridge-source');

  it('creates the S3 recording bulk actions integration with a credential holding the archive export role', () => {
    const { json } = genesysOf(envWith(() => undefined));
    const credential = one(json, 'genesyscloud_integration_credential');
    expect(credential.credential_type_name).toBe('amazonWebServicesARN');
    expect(Object.keys(credential.fields)).toEqual(['ARN']);
    // The archive stack's role, by reference (a cross-stack output once the app is synthesized).
    expect(credential.fields.ARN).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    const integration = exportIntegration(json)!;
    expect(integration.integration_type).toBe('aws-s3-recording-bulk-actions-integration');
    expect(integration.intended_state).toBe('ENABLED');
    const credentialKey = Object.keys(json.resource!.genesyscloud_integration_credential)[0];
    expect(integration.config.credentials).toEqual({ AmazonWebServicesARN: `\${genesyscloud_integration_credential.${credentialKey}.id}` });
    expect(JSON.parse(integration.config.properties)).toEqual({ bucketName: expect.stringMatching(/^\$\{aws_s3_bucket\..+\}$/) });
  });

  it('the unconfirmed names are configurable', () => {
    const { json } = genesysOf(
      envWith((i) => {
        i.genesys.recordingExport = {
          integrationType: 'aws-s3-recording-export',
          credentialType: 'awsRoleArn',
          credentialField: 'roleArn',
          credentialsKey: 'awsRole',
          bucketNameProperty: 's3BucketName',
          exportRoleArn: 'arn:aws:iam::444455556666:role/genesys-export',
          bucketName: 'acme-recordings',
        };
      }),
    );
    const credential = one(json, 'genesyscloud_integration_credential');
    expect(credential).toMatchObject({
      credential_type_name: 'awsRoleArn',
      fields: { roleArn: 'arn:aws:iam::444455556666:role/genesys-export' },
    });
    const integration = exportIntegration(json)!;
    expect(integration.integration_type).toBe('aws-s3-recording-export');
    expect(Object.keys(integration.config.credentials)).toEqual(['awsRole']);
    expect(JSON.parse(integration.config.properties)).toEqual({ s3BucketName: 'acme-recordings' });
  });

  it('an own export role needs its bucket (and the other way round)', () => {
    expect(() =>
      envWith((i) => {
        i.genesys.recordingExport = { exportRoleArn: 'arn:aws:iam::444455556666:role/genesys-export' };
      }),
    ).toThrow(/genesys\.recordingExport\.bucketName is required with the other one/);
  });

  it('a pr-* environment exports into its base archive, found by name (the shared archive is never managed here)', () => {
    const { stacks, json } = genesysOf(envWith(() => undefined, 'pr-9'));
    expect(stacks.archive).toBeUndefined();
    expect(json.provider?.aws).toBeDefined();
    const role = Object.values(json.data?.aws_iam_role ?? {})[0] as Body;
    expect(role.name).toBe('loadlab-example-genesys-recording-export');
    expect(one(json, 'genesyscloud_integration_credential').fields.ARN).toMatch(/^\$\{data\.aws_iam_role\..+\.arn\}$/);
    // The only AWS resources are the environment's own client secrets and their key.
    expect(Object.keys(json.resource ?? {}).filter((t) => t.startsWith('aws_'))).toEqual([
      'aws_kms_alias',
      'aws_kms_key',
      'aws_secretsmanager_secret',
      'aws_secretsmanager_secret_policy',
      'aws_secretsmanager_secret_version',
    ]);
    expect(byType(json, 'aws_kms_alias').map((a) => a.name)).toEqual(['alias/loadlab-pr-9-secrets']);
  });

  it('the retention policy (default on) exports every media type, screen recordings included', () => {
    const { json } = genesysOf(envWith(() => undefined));
    const policy = one(json, 'genesyscloud_recording_media_retention_policy');
    expect(policy.name).toBe('loadlab-example-recording-export');
    expect(policy.enabled).toBe(true);
    const integrationKey = Object.entries(json.resource!.genesyscloud_integration).find(
      ([, i]) => i.integration_type === 'aws-s3-recording-bulk-actions-integration',
    )![0];
    for (const media of ['call_policy', 'chat_policy', 'email_policy', 'message_policy']) {
      expect(policy.media_policies[media]).toEqual({
        actions: {
          integration_export: {
            integration_id: `\${genesyscloud_integration.${integrationKey}.id}`,
            should_export_screen_recordings: true,
          },
        },
      });
    }
  });

  it('limits the policy to the configured queues', () => {
    const queues = ['11111111-2222-4333-8444-555555555555'];
    const { json } = genesysOf(envWith((i) => (i.genesys.recordingExport.queueIds = queues)));
    const policy = one(json, 'genesyscloud_recording_media_retention_policy');
    for (const media of ['call_policy', 'chat_policy', 'email_policy', 'message_policy']) {
      expect(policy.media_policies[media].conditions).toEqual({ for_queue_ids: queues });
    }
  });

  it('limits the policy to users and wrap-up codes too, each media type alike', () => {
    const users = ['21111111-2222-4333-8444-555555555555'];
    const codes = ['31111111-2222-4333-8444-555555555555'];
    const { json } = genesysOf(
      envWith((i) => {
        i.genesys.testOrg = false;
        i.genesys.recordingExport.userIds = users;
        i.genesys.recordingExport.wrapUpCodeIds = codes;
      }),
    );
    const policy = one(json, 'genesyscloud_recording_media_retention_policy');
    for (const media of ['call_policy', 'chat_policy', 'email_policy', 'message_policy']) {
      expect(policy.media_policies[media].conditions).toEqual({ for_user_ids: users, wrapup_code_ids: codes });
    }
  });

  it('refuses a policy without conditions unless the environment declares a test org, naming the field and the fix', () => {
    expect(() => envWith((i) => (i.genesys.testOrg = false))).toThrow(ConfigError);
    expect(() => envWith((i) => (i.genesys.testOrg = false))).toThrow(
      'genesys.recordingExport.queueIds is empty, as are userIds and wrapUpCodeIds, so the retention policy would export every conversation of the org; name the test queues (or users, or wrap-up codes), set genesys.testOrg to true if the whole org is a test org, or set retentionPolicy to false',
    );
    // No policy, or no export at all: nothing org-wide to refuse.
    expect(() =>
      envWith((i) => {
        i.genesys.testOrg = false;
        i.genesys.recordingExport.retentionPolicy = false;
      }),
    ).not.toThrow();
    expect(() =>
      envWith((i) => {
        i.genesys.testOrg = false;
        i.genesys.recordingExport.enabled = false;
      }),
    ).not.toThrow();
  });

  it('the construct itself refuses an org-wide policy it was not told is meant', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    expect(() => new RecordingExportPolicy(stack, 'p', { name: 'p', integrationId: 'i', queueIds: [] })).toThrow(
      'retention policy p: without queueIds, userIds or wrapUpCodeIds it exports every conversation of the org; name them, or pass orgWide: true for a test org',
    );
  });

  it('a pr-* environment creates no retention policy: its base owns it', () => {
    const { json } = genesysOf(envWith(() => undefined, 'pr-12'));
    expect(json.resource?.genesyscloud_recording_media_retention_policy).toBeUndefined();
    expect(json.output?.recording_export_policy_id).toBeUndefined();
    expect(exportIntegration(json)).toBeDefined();
    expect(one(genesysOf(envWith(() => undefined)).json, 'genesyscloud_recording_media_retention_policy')).toBeDefined();
  });

  it('retentionPolicy false keeps the integration but creates no policy', () => {
    const { json } = genesysOf(envWith((i) => (i.genesys.recordingExport.retentionPolicy = false)));
    expect(json.resource?.genesyscloud_recording_media_retention_policy).toBeUndefined();
    expect(exportIntegration(json)).toBeDefined();
  });

  it('enabled false creates none of it', () => {
    const { stacks, json } = genesysOf(envWith((i) => (i.genesys.recordingExport.enabled = false)));
    expect(json.resource?.genesyscloud_recording_media_retention_policy).toBeUndefined();
    expect(json.resource?.genesyscloud_integration_credential).toBeUndefined();
    expect(exportIntegration(json)).toBeUndefined();
    expect(stacks.genesys.refs.recordingExportIntegrationId).toBeUndefined();
    expect(json.output?.recording_export_integration_id).toBeUndefined();
  });
});

describe('FedRAMP', () => {
  it('switches the Genesys provider region and the Genesys AWS account (765628985471 -> 325654371633)', () => {
    const commercial = genesysOf(envWith(() => undefined)).json;
    const fedramp = genesysOf(envWith((i) => (i.genesys.region = 'us-east-2'))).json;
    expect(commercial.provider?.genesyscloud).toEqual([{ aws_region: 'us-east-1' }]);
    expect(fedramp.provider?.genesyscloud).toEqual([{ aws_region: 'us-east-2' }]);
    expect(commercial.output?.genesys_aws_account_id.value).toBe(GENESYS_COMMERCIAL);
    expect(fedramp.output?.genesys_aws_account_id.value).toBe(GENESYS_FEDRAMP);
    expect(exportNotes(commercial)).toContain(GENESYS_COMMERCIAL);
    expect(exportNotes(fedramp)).toContain(GENESYS_FEDRAMP);
  });

  it('no stack of a FedRAMP environment mentions the commercial Genesys account', () => {
    const { app } = synthEnvironment(envWith((i) => (i.genesys.region = 'us-east-2')));
    const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
    const texts = stacks.map((s) => JSON.stringify(synthJson(s)));
    for (const text of texts) expect(text).not.toContain(GENESYS_COMMERCIAL);
    expect(texts.join('\n')).toContain(GENESYS_FEDRAMP);
  });

  const exportNotes = (json: SynthesizedStack): string =>
    byType(json, 'genesyscloud_integration').find((i) => i.integration_type === 'aws-s3-recording-bulk-actions-integration')!.config.notes;
});

describe('outputs and refs for the runners stack', () => {
  it('outputs client ids, role ids, integration ids and the partner event source name', () => {
    const { stacks, json } = genesysOf(envWith(() => undefined));
    expect(Object.keys(json.output ?? {}).sort()).toEqual([
      'eventbridge_integration_id',
      'genesys_aws_account_id',
      'metadata_worker_client_id',
      'org_id',
      'partner_event_source_name',
      'recording_export_credential_id',
      'recording_export_integration_id',
      'recording_export_policy_id',
      'report_worker_client_id',
      'role_ids',
      'runner_client_ids',
    ]);
    expect(json.output!.runner_client_ids.value).toHaveLength(stacks.budget.runnerClients);
    expect(Object.keys(json.output!.role_ids.value as object).sort()).toEqual(['metadataWorker', 'reportWorker', 'runner']);
    const refs = stacks.genesys.refs;
    expect(refs.metadataWorkerClient.purpose).toBe('metadata-worker');
    expect(refs.reportWorkerClient.purpose).toBe('report-worker');
    expect(refs.recordingExportIntegrationId).toBeDefined();
  });
});
