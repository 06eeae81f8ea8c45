import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { OauthClient } from '../../.gen/providers/genesyscloud/oauth-client';
import { AuthRole } from '../../.gen/providers/genesyscloud/auth-role';
import { GenesysRole } from '../../lib/genesys-tenant/role';
import { ClientCredentialsClient } from '../../lib/genesys-tenant/oauth-client';
import { EventBridgeSourceIntegration, partnerEventSourceName } from '../../lib/genesys-tenant/eventbridge-integration';
import { RecordingExportIntegration, RecordingExportPolicy } from '../../lib/genesys-tenant/recording-export';
import { permissionPolicies } from '../../lib/genesys-tenant/permissions';

const stack = () => new TerraformStack(Testing.app(), 'test');
const role = (scope: TerraformStack, id = 'role') =>
  new GenesysRole(scope, id, { name: `loadlab-test-${id}`, description: 'test', policies: permissionPolicies(['scripter:script:view']) });

describe('GenesysRole', () => {
  it('renders one permission policy per domain + entity', () => {
    const json = Testing.synthScope((scope) => {
      new GenesysRole(scope, 'r', {
        name: 'loadlab-test-r',
        description: 'test',
        policies: permissionPolicies(['recording:recording:view', 'recording:recording:editRetention']),
      });
    });
    expect(json).toHaveResourceWithProperties(AuthRole, {
      name: 'loadlab-test-r',
      permission_policies: [{ domain: 'recording', entity_name: 'recording', action_set: ['editRetention', 'view'] }],
    });
  });

  it('refuses a hand-written wildcard policy and an empty action set', () => {
    expect(
      () =>
        new GenesysRole(stack(), 'r', {
          name: 'x',
          description: 'x',
          policies: [{ domain: 'recording', entityName: '*', actionSet: ['view'] }],
        }),
    ).toThrow(/GenesysRole x: "recording:\*:view" contains a wildcard/);
    expect(
      () =>
        new GenesysRole(stack(), 'r', {
          name: 'x',
          description: 'x',
          policies: [{ domain: 'recording', entityName: 'recording', actionSet: [] }],
        }),
    ).toThrow(/recording:recording has no action/);
  });
});

describe('ClientCredentialsClient', () => {
  it('binds each granted role in each division, once', () => {
    const json = Testing.synthScope((scope) => {
      const s = scope as TerraformStack;
      const a = role(s, 'a');
      const b = role(s, 'b');
      const client = new ClientCredentialsClient(scope, 'c', {
        name: 'loadlab-test-c',
        purpose: 'c',
        description: 'test',
        divisionIds: ['d1', 'd2'],
        accessTokenValiditySec: 900,
        roles: [a],
      });
      client.grantRole(b);
      client.grantRole(a);
    });
    const clients = Object.values(JSON.parse(json).resource.genesyscloud_oauth_client) as {
      roles: { role_id: string; division_id: string }[];
    }[];
    expect(clients[0].roles.map((r) => `${r.role_id.replace(/_role_[A-F0-9]+\.id\}$/, '')}@${r.division_id}`)).toEqual([
      '${genesyscloud_auth_role.a@d1',
      '${genesyscloud_auth_role.a@d2',
      '${genesyscloud_auth_role.b@d1',
      '${genesyscloud_auth_role.b@d2',
    ]);
    expect(json).toHaveResourceWithProperties(OauthClient, {
      authorized_grant_type: 'CLIENT-CREDENTIALS',
      expose_client_secret: true,
      access_token_validity_seconds: 900,
    });
  });

  it.each([
    [299, /accessTokenValiditySec must be an integer 300-172800 \(got 299\)/],
    [172801, /accessTokenValiditySec must be an integer 300-172800 \(got 172801\)/],
  ])('refuses a token validity of %d s', (validity, message) => {
    expect(
      () =>
        new ClientCredentialsClient(stack(), 'c', {
          name: 'c',
          purpose: 'c',
          description: 'c',
          divisionIds: ['d'],
          accessTokenValiditySec: validity,
        }),
    ).toThrow(message);
  });

  it('refuses no division and the all-divisions wildcard', () => {
    const make = (divisionIds: string[]) => () =>
      new ClientCredentialsClient(stack(), 'c', { name: 'c', purpose: 'c', description: 'c', divisionIds, accessTokenValiditySec: 3600 });
    expect(make([])).toThrow(/divisionIds must name at least one division/);
    expect(make(['*'])).toThrow(/must not contain "\*"/);
  });

  it('exposes its id and secret as references, never values', () => {
    const s = stack();
    const client = new ClientCredentialsClient(s, 'c', {
      name: 'c',
      purpose: 'runner-0',
      description: 'c',
      divisionIds: ['d'],
      accessTokenValiditySec: 3600,
    });
    expect(client.purpose).toBe('runner-0');
    new TerraformOutput(s, 'secret', { value: client.clientSecret, sensitive: true });
    new TerraformOutput(s, 'id', { value: client.clientId });
    const outputs = JSON.parse(Testing.synth(s)).output;
    expect(outputs.secret.value).toMatch(/^\$\{genesyscloud_oauth_client\..+\.client_secret\}$/);
    expect(outputs.id.value).toMatch(/^\$\{genesyscloud_oauth_client\..+\.id\}$/);
  });
});

describe('EventBridgeSourceIntegration', () => {
  const props = {
    name: 'loadlab-test-eventbridge',
    awsAccountId: '111122223333',
    awsRegion: 'us-east-1',
    eventSourceSuffix: 'loadlab-test',
    topics: ['v2.detail.events.conversation.{id}.acw'],
    orgId: 'org-1',
  };

  it('names the partner event source after the org and suffix', () => {
    const integration = new EventBridgeSourceIntegration(stack(), 'e', props);
    expect(integration.partnerEventSourceName).toBe('aws.partner/genesys.com/cloud/org-1/loadlab-test');
    expect(partnerEventSourceName('o', 's')).toBe('aws.partner/genesys.com/cloud/o/s');
  });

  it.each([
    [{ eventSourceSuffix: 'a/b' }, /eventSourceSuffix must be 1-64 characters/],
    [{ eventSourceSuffix: 'x'.repeat(65) }, /eventSourceSuffix must be 1-64 characters/],
    [{ awsAccountId: '1234' }, /awsAccountId must be a 12-digit AWS account id/],
    [{ topics: [] }, /topics must name at least one notification topic/],
    [{ topics: ['conversation.acw'] }, /"conversation\.acw" is not a notification topic/],
    [{ topics: ['v2.a', 'v2.a'] }, /topics must not repeat/],
  ])('refuses %j', (override, message) => {
    expect(() => new EventBridgeSourceIntegration(stack(), 'e', { ...props, ...override })).toThrow(message);
  });
});

describe('recording export constructs', () => {
  it('the policy can be limited to some media types', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        new RecordingExportPolicy(scope, 'p', {
          name: 'p',
          integrationId: 'i-1',
          queueIds: [],
          orgWide: true,
          mediaTypes: ['call'],
          exportScreenRecordings: false,
        });
      }),
    );
    const policy = Object.values(json.resource.genesyscloud_recording_media_retention_policy)[0] as {
      media_policies: Record<string, unknown>;
    };
    expect(policy.media_policies).toEqual({
      call_policy: { actions: { integration_export: { integration_id: 'i-1', should_export_screen_recordings: false } } },
    });
    expect(() => new RecordingExportPolicy(stack(), 'p', { name: 'p', integrationId: 'i', queueIds: [], mediaTypes: [] })).toThrow(
      /mediaTypes must name at least one media type/,
    );
  });

  it('the integration refuses a Genesys account id that is not an AWS account id', () => {
    expect(
      () =>
        new RecordingExportIntegration(stack(), 'x', {
          name: 'x',
          integrationType: 't',
          credentialType: 'c',
          credentialField: 'ARN',
          credentialsKey: 'k',
          bucketNameProperty: 'bucketName',
          bucketName: 'b',
          exportRoleArn: 'arn:aws:iam::111122223333:role/r',
          genesysAwsAccountId: 'genesys',
        }),
    ).toThrow(/genesysAwsAccountId must be a 12-digit AWS account id/);
  });
});
