import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { TerraformStack, Testing } from 'cdktf';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { NodeFunction } from '../../lib/lambda/node-function';
import { bundleHandler } from '../../lib/lambda/bundle';
import { OAuthClientSecret } from '../../lib/secrets/oauth-client-secret';
import { ClientSecretLookup } from '../../lib/secrets/client-secret-lookup';
import { ServiceRole } from '../../lib/iam/service-role';

const entry = path.join(__dirname, 'fixtures', 'hello.ts');

describe('NodeFunction', () => {
  it('bundles the handler into one index.js that exports handler', async () => {
    const { dir } = bundleHandler(entry);
    const file = path.join(dir, 'index.js');
    expect(existsSync(file)).toBe(true);
    const mod = { exports: {} as { handler?: () => Promise<unknown> } };
    new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(mod, mod.exports, require);
    await expect(mod.exports.handler!()).resolves.toEqual({ ok: true });
  });

  it('is Node 24 on arm64 with reserved concurrency, its own log group and a role limited to that log group', () => {
    const synth = Testing.synthScope((scope) => {
      new NodeFunction(scope, 'worker', {
        functionName: 'loadlab-test-worker',
        description: 'test',
        entry,
        timeoutSec: 30,
        reservedConcurrency: 3,
        logRetentionDays: 14,
        environment: { MODE: 'test' },
      });
    });
    expect(synth).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'loadlab-test-worker',
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      reserved_concurrent_executions: 3,
      timeout: 30,
      environment: { variables: { MODE: 'test' } },
      tracing_config: { mode: 'Active' },
    });
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/aws/lambda/loadlab-test-worker', retention_in_days: 14 });
    const json = JSON.parse(synth);
    const policy = JSON.parse(Object.values(json.resource.aws_iam_role_policy as Record<string, { policy: string }>)[0].policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*$/),
      },
      { Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
    const trust = JSON.parse(
      Object.values(json.resource.aws_iam_role as Record<string, { assume_role_policy: string }>)[0].assume_role_policy,
    );
    expect(trust.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
  });
});

describe('OAuthClientSecret', () => {
  it('stores the client by reference under the given key, with a policy naming its reader', () => {
    const synth = Testing.synthScope((scope) => {
      new OAuthClientSecret(scope, 'runner-0', {
        secretName: 'loadlab/test/runner-0',
        purpose: 'runner-0',
        clientId: '${genesyscloud_oauth_client.runner_0.id}',
        clientSecret: '${genesyscloud_oauth_client.runner_0.client_secret}',
        kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/abc',
        accountId: '111122223333',
        region: 'us-east-1',
        readerRoleArn: 'arn:aws:iam::111122223333:role/reader',
        terraformRoleArns: ['arn:aws:iam::111122223333:role/terraform'],
      });
    });
    expect(synth).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: 'loadlab/test/runner-0',
      kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/abc',
    });
    const json = JSON.parse(synth);
    const version = Object.values(json.resource.aws_secretsmanager_secret_version as Record<string, { secret_string: string }>)[0];
    expect(JSON.parse(version.secret_string)).toEqual({
      clientId: '${genesyscloud_oauth_client.runner_0.id}',
      clientSecret: '${genesyscloud_oauth_client.runner_0.client_secret}',
    });
    const policy = Object.values(
      json.resource.aws_secretsmanager_secret_policy as Record<string, { policy: string; block_public_policy: boolean }>,
    )[0];
    expect(policy.block_public_policy).toBe(true);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'secretsmanager:GetSecretValue',
        Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/reader' } },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/reader', 'arn:aws:iam::111122223333:role/terraform'] },
        },
      }),
    ]);
  });
});

describe('ClientSecretLookup', () => {
  it('finds the secret and its key by name and grants read of that one secret', () => {
    const synth = Testing.synthScope((scope) => {
      const role = new ServiceRole(scope, 'reader', { roleName: 'reader', service: 'ecs-tasks.amazonaws.com', description: 'reads' });
      const secret = new ClientSecretLookup(scope, 'runner-0', {
        client: { purpose: 'runner-0', secretName: 'loadlab/test/runner-0', secretsKeyAlias: 'alias/loadlab-test-secrets' },
        region: 'us-east-1',
      });
      secret.grantRead(role);
    });
    const json = JSON.parse(synth);
    expect(Object.values(json.data.aws_secretsmanager_secret)).toEqual([expect.objectContaining({ name: 'loadlab/test/runner-0' })]);
    expect(Object.values(json.data.aws_kms_alias)).toEqual([expect.objectContaining({ name: 'alias/loadlab-test-secrets' })]);
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    expect(synth).toHaveResource(IamRolePolicy);
    const policy = JSON.parse(Object.values(json.resource.aws_iam_role_policy as Record<string, { policy: string }>)[0].policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: expect.stringMatching(/^\$\{data\.aws_secretsmanager_secret\..+\.arn\}$/),
      }),
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: expect.stringMatching(/^\$\{data\.aws_kms_alias\..+\.target_key_arn\}$/),
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      }),
    ]);
  });

  it('a role granted nothing fails synth', () => {
    const stack = new TerraformStack(Testing.app(), 'idle-role');
    new ServiceRole(stack, 'idle', { roleName: 'idle', service: 'lambda.amazonaws.com', description: 'x' });
    expect(() => Testing.synth(stack, true)).toThrow(/role idle was granted nothing/);
  });
});

describe('ServiceRole grants', () => {
  it('adds a repeated grant once and keeps statement ids unique', () => {
    const stack = new TerraformStack(Testing.app(), 'grants');
    const role = new ServiceRole(stack, 'r', { roleName: 'r', service: 'lambda.amazonaws.com', description: 'x' });
    role.addToPolicy({ sid: 'Read', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/a/*'] });
    role.addToPolicy({ sid: 'Read', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/a/*'] });
    role.addToPolicy({ sid: 'Read', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/other/*'] });
    const json = JSON.parse(Testing.synth(stack));
    const policy = JSON.parse(Object.values(json.resource.aws_iam_role_policy as Record<string, { policy: string }>)[0].policy);
    expect(policy.Statement.map((s: { Sid: string; Resource: string }) => [s.Sid, s.Resource])).toEqual([
      ['Read', 'arn:aws:s3:::b/a/*'],
      ['Read2', 'arn:aws:s3:::b/other/*'],
    ]);
  });
});
