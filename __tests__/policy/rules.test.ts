/**
 * Every policy rule is proven against a deliberately broken construct (it must catch it) and a
 * compliant one (it must stay quiet), so no rule can pass vacuously.
 */
import { TerraformOutput, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { AuthRole } from '../../.gen/providers/genesyscloud/auth-role';
import { OauthClient } from '../../.gen/providers/genesyscloud/oauth-client';
import { checkPolicies, RETIRED_RULES, RULES, type PolicyTarget, type Violation } from '../../lib/policy';
import { LAMBDA_RUNTIME, NODE_RUNTIME_DEPRECATION } from '../../lib/lambda/runtime';
import { toPolicyJson, serviceTrustPolicy } from '../../lib/iam/policy';
import { bucketProtectionStatements, keyProtectionStatements } from '../../lib/archive/protection';
import { toResourcePolicyJson } from '../../lib/archive/resource-policy';

const TAGS = { project: 'genesys-loadlab', environment: 'policy', stack: 'policy-test', owner: 'tests' };

/** Runtime deprecations are judged on this day, so the cases do not change with the calendar. */
const TODAY = new Date('2026-12-01T00:00:00Z');

function check(build: (scope: Construct) => void, maxTokenValiditySec = 86400, now = TODAY): Violation[] {
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      new AwsProvider(scope, 'aws', { region: 'us-east-1' });
      build(scope);
    }),
  );
  const target: PolicyTarget = { stack: 'policy-test', json, maxTokenValiditySec, requiredTags: Object.keys(TAGS), now };
  return checkPolicies(target);
}

const rulesOf = (violations: Violation[]): string[] => [...new Set(violations.map((v) => v.rule))].sort();

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/k';

function compliantBucket(scope: Construct, id: string, opts: { sse?: 'aws:kms' | 'AES256'; logTo?: S3Bucket } = {}): S3Bucket {
  const bucket = new S3Bucket(scope, id, { bucket: `policy-${id}`, tags: TAGS });
  const protection = JSON.parse(
    toResourcePolicyJson(bucketProtectionStatements({ bucketArn: bucket.arn, keyArn: opts.sse === 'AES256' ? undefined : KEY_ARN })),
  ).Statement;
  new S3BucketPublicAccessBlock(scope, `${id}-pab`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-sse`, {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: opts.sse ?? 'aws:kms',
          kmsMasterKeyId: opts.sse === 'AES256' ? undefined : KEY_ARN,
        },
        bucketKeyEnabled: true,
      },
    ],
  });
  new S3BucketVersioningA(scope, `${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
  new S3BucketPolicy(scope, `${id}-policy`, {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TlsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, `${bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        ...protection,
      ],
    }),
  });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
  new S3BucketLifecycleConfiguration(scope, `${id}-lifecycle`, {
    bucket: bucket.id,
    rule: [{ id: 'abort', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
  });
  if (opts.logTo) new S3BucketLoggingA(scope, `${id}-logging`, { bucket: bucket.id, targetBucket: opts.logTo.id, targetPrefix: `${id}/` });
  return bucket;
}

function role(scope: Construct, id: string, trust = serviceTrustPolicy('lambda.amazonaws.com')): IamRole {
  return new IamRole(scope, id, { name: id, assumeRolePolicy: trust, tags: TAGS });
}

function lambda(scope: Construct, id: string, props: Partial<ConstructorParameters<typeof LambdaFunction>[2]> = {}): LambdaFunction {
  return new LambdaFunction(scope, id, {
    functionName: id,
    role: role(scope, `${id}-role`).arn,
    runtime: 'nodejs24.x',
    handler: 'index.handler',
    filename: 'code.zip',
    reservedConcurrentExecutions: 2,
    tags: TAGS,
    ...props,
  });
}

/** One broken and one compliant construct per rule. */
const CASES: Record<string, { broken: (s: Construct) => void; compliant: (s: Construct) => void; maxTokenValiditySec?: number }> = {
  'S3-002': {
    broken: (s) => void compliantBucket(s, 'plain', { sse: 'AES256' }),
    // SSE-S3 is accepted only on a bucket that is a server access log target.
    compliant: (s) => {
      const logs = compliantBucket(s, 'logs', { sse: 'AES256' });
      compliantBucket(s, 'data', { logTo: logs });
    },
  },
  'S3-004': {
    broken: (s) => {
      compliantBucket(s, 'tls');
      (s.node.findChild('tls-policy') as S3BucketPolicy).policy = toPolicyJson([
        { effect: 'Deny', actions: ['s3:DeleteBucket'], resources: ['arn:aws:s3:::policy-tls'] },
      ]);
    },
    compliant: (s) => void compliantBucket(s, 'ok'),
  },
  'S3-007': {
    broken: (s) => {
      compliantBucket(s, 'unprotected');
      // Only the TLS deny and a version-deletion deny: lifecycle, policy and key changes stay open.
      (s.node.findChild('unprotected-policy') as S3BucketPolicy).policy = toResourcePolicyJson([
        { effect: 'Deny', principal: '*', actions: ['s3:*'], resources: ['*'], conditions: { Bool: { 'aws:SecureTransport': 'false' } } },
        { effect: 'Deny', principal: '*', actions: ['s3:DeleteObjectVersion'], resources: ['*'] },
      ]);
      // Every action denied, but with a condition anyone can meet: not a protection.
      compliantBucket(s, 'loophole');
      (s.node.findChild('loophole-policy') as S3BucketPolicy).policy = toResourcePolicyJson([
        { effect: 'Deny', principal: '*', actions: ['s3:*'], resources: ['*'], conditions: { Bool: { 'aws:SecureTransport': 'false' } } },
        ...bucketProtectionStatements({ bucketArn: 'arn:aws:s3:::policy-loophole' }).map((st) => ({
          ...st,
          conditions: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        })),
      ]);
    },
    compliant: (s) => {
      const logs = compliantBucket(s, 'logs', { sse: 'AES256' });
      compliantBucket(s, 'data', { logTo: logs });
    },
  },
  'KMS-003': {
    broken: (s) =>
      void new KmsKey(s, 'archive-key', {
        enableKeyRotation: true,
        tags: TAGS,
        lifecycle: { preventDestroy: true },
        policy: toResourcePolicyJson([
          { principal: { AWS: ['arn:aws:iam::111122223333:root'] }, actions: ['kms:*'], resources: ['*'] },
          // Deletion denied, but policy changes are not, so the deny can be removed.
          { effect: 'Deny', principal: '*', actions: ['kms:ScheduleKeyDeletion'], resources: ['*'] },
        ]),
      }),
    compliant: (s) =>
      void new KmsKey(s, 'archive-key', {
        enableKeyRotation: true,
        tags: TAGS,
        lifecycle: { preventDestroy: true },
        policy: toResourcePolicyJson([
          { principal: { AWS: ['arn:aws:iam::111122223333:root'] }, actions: ['kms:*'], resources: ['*'] },
          ...keyProtectionStatements({
            breakGlassRoleArn: 'arn:aws:iam::111122223333:role/break-glass',
            decryptors: ['arn:aws:iam::111122223333:role/app'],
          }),
        ]),
      }),
  },
  'KMS-002': {
    broken: (s) =>
      void new KmsKey(s, 'key', {
        enableKeyRotation: true,
        tags: TAGS,
        policy: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/app' }, Action: 'kms:*', Resource: '*' }],
        }),
      }),
    compliant: (s) =>
      void new KmsKey(s, 'key', {
        enableKeyRotation: true,
        tags: TAGS,
        policy: JSON.stringify({
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/app' }, Action: ['kms:Decrypt'], Resource: '*' },
          ],
        }),
      }),
  },
  'IAM-001': {
    broken: (s) =>
      void new IamRolePolicy(s, 'p', {
        role: role(s, 'r').id,
        policy: toPolicyJson([{ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }]),
      }),
    compliant: (s) =>
      void new IamRolePolicy(s, 'p', {
        role: role(s, 'r').id,
        policy: toPolicyJson([{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }]),
      }),
  },
  'IAM-002': {
    broken: (s) =>
      void new IamRolePolicy(s, 'p', { role: role(s, 'r').id, policy: toPolicyJson([{ actions: ['s3:GetObject'], resources: ['*'] }]) }),
    compliant: (s) =>
      void new IamRolePolicy(s, 'p', {
        role: role(s, 'r').id,
        policy: toPolicyJson([{ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }]),
      }),
  },
  'IAM-003': {
    broken: (s) =>
      void new IamRolePolicyAttachment(s, 'admin', { role: role(s, 'r').name, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    compliant: (s) =>
      void new IamRolePolicyAttachment(s, 'ro', { role: role(s, 'r').name, policyArn: 'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess' }),
  },
  'IAM-004': {
    broken: (s) => {
      role(s, 'anyone', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }));
      role(
        s,
        'genesys-no-external-id',
        JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::765628985471:root' }, Action: 'sts:AssumeRole' }],
        }),
      );
    },
    compliant: (s) => {
      role(s, 'svc');
      role(
        s,
        'genesys',
        JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::325654371633:root' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'sts:ExternalId': 'org-id' } },
            },
          ],
        }),
      );
    },
  },
  'IAM-005': {
    broken: (s) => {
      const github = (sub: Record<string, unknown>) =>
        JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: sub,
            },
          ],
        });
      role(s, 'any-branch', github({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } }));
      role(s, 'any-env', github({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:environment:loadlab-*' } }));
    },
    compliant: (s) => {
      role(s, 'svc');
      role(
        s,
        'pr-plan',
        JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                  'token.actions.githubusercontent.com:sub': 'repo:o/r:pull_request',
                },
              },
            },
          ],
        }),
      );
    },
  },
  'SQS-002': {
    broken: (s) => {
      const q = new SqsQueue(s, 'q', { name: 'q', kmsMasterKeyId: 'alias/k', tags: TAGS });
      new LambdaEventSourceMapping(s, 'esm', { eventSourceArn: q.arn, functionName: 'fn', tags: TAGS });
    },
    compliant: (s) => {
      const dlq = new SqsQueue(s, 'dlq', { name: 'dlq', kmsMasterKeyId: 'alias/k', tags: TAGS });
      const q = new SqsQueue(s, 'q', {
        name: 'q',
        kmsMasterKeyId: 'alias/k',
        tags: TAGS,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
      });
      new LambdaEventSourceMapping(s, 'esm', { eventSourceArn: q.arn, functionName: 'fn', tags: TAGS });
    },
  },
  'LAMBDA-002': {
    broken: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', tags: TAGS });
      lambda(s, 'fn');
    },
    compliant: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 30, tags: TAGS });
      lambda(s, 'fn');
    },
  },
  'LAMBDA-003': {
    broken: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn', { environment: { variables: { GENESYS_CLIENT_SECRET: '${var.secret}' } } });
    },
    compliant: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn', {
        environment: { variables: { GENESYS_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x' } },
        kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
    },
  },
  'LAMBDA-004': {
    broken: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn', { runtime: 'nodejs20.x' });
      new CloudwatchLogGroup(s, 'lg2', { name: '/aws/lambda/fn2', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn2', { runtime: 'python3.13' });
    },
    compliant: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn', { runtime: 'nodejs24.x' });
    },
  },
  'LAMBDA-005': {
    broken: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn', { environment: { variables: { COST_PROFILE: '{}' } } });
    },
    compliant: (s) => {
      new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn', {
        environment: { variables: { COST_PROFILE: '{}' } },
        kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
      new CloudwatchLogGroup(s, 'lg2', { name: '/aws/lambda/fn2', retentionInDays: 7, tags: TAGS });
      lambda(s, 'fn2');
    },
  },
  'ECS-001': {
    broken: (s) =>
      void new EcsTaskDefinition(s, 'td', {
        family: 'td',
        tags: TAGS,
        containerDefinitions: JSON.stringify([{ name: 'jmeter', image: 'x', privileged: true }]),
      }),
    compliant: (s) =>
      void new EcsTaskDefinition(s, 'td', {
        family: 'td',
        tags: TAGS,
        containerDefinitions: JSON.stringify([
          { name: 'jmeter', image: 'x', readonlyRootFilesystem: true, logConfiguration: { logDriver: 'awslogs', options: {} } },
        ]),
      }),
  },
  'NET-001': {
    broken: (s) => void new NatGateway(s, 'nat', { subnetId: 'subnet-1', tags: TAGS }),
    compliant: (s) =>
      void new SecurityGroup(s, 'sg', {
        name: 'sg',
        vpcId: 'vpc-1',
        tags: TAGS,
        egress: [{ fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }],
      }),
  },
  'NET-002': {
    broken: (s) =>
      void new SecurityGroup(s, 'sg', {
        name: 'sg',
        vpcId: 'vpc-1',
        tags: TAGS,
        ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }],
      }),
    compliant: (s) =>
      void new SecurityGroup(s, 'sg', {
        name: 'sg',
        vpcId: 'vpc-1',
        tags: TAGS,
        egress: [{ fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }],
      }),
  },
  'GEN-001': {
    broken: (s) =>
      void new AuthRole(s, 'role', { name: 'r', permissionPolicies: [{ domain: 'recording', entityName: '*', actionSet: ['view'] }] }),
    compliant: (s) =>
      void new AuthRole(s, 'role', {
        name: 'r',
        permissionPolicies: [{ domain: 'recording', entityName: 'recording', actionSet: ['view'] }],
      }),
  },
  'GEN-002': {
    broken: (s) => void new OauthClient(s, 'c', { name: 'c', authorizedGrantType: 'CODE', accessTokenValiditySeconds: 3600 }),
    compliant: (s) =>
      void new OauthClient(s, 'c', {
        name: 'c',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 3600,
        roles: [{ roleId: 'r', divisionId: 'd' }],
      }),
  },
  'GEN-003': {
    maxTokenValiditySec: 3600,
    broken: (s) =>
      void new OauthClient(s, 'c', {
        name: 'c',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 7200,
        roles: [{ roleId: 'r', divisionId: 'd' }],
      }),
    compliant: (s) =>
      void new OauthClient(s, 'c', {
        name: 'c',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 3600,
        roles: [{ roleId: 'r', divisionId: 'd' }],
      }),
  },
  'SEC-001': {
    broken: (s) => {
      const q = new SqsQueue(s, 'q', { name: 'q', kmsMasterKeyId: 'alias/k', tags: TAGS });
      q.addOverride('tags.note', 'AKIAABCDEFGHIJKLMNOP');
      new SqsQueue(s, 'q2', { name: 'q2', kmsMasterKeyId: 'alias/k', tags: TAGS }).addOverride('client_secret', 'hunter2-literal');
    },
    compliant: (s) => {
      const c = new OauthClient(s, 'c', {
        name: 'c',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 3600,
        roles: [{ roleId: 'r', divisionId: 'd' }],
      });
      new SqsQueue(s, 'q', { name: 'q', kmsMasterKeyId: 'alias/k', tags: { ...TAGS, ref: c.clientSecret } });
    },
  },
  'SEC-003': {
    broken: (s) => {
      const bare = new SecretsmanagerSecret(s, 'bare', { name: 'loadlab/x/runner-0', tags: TAGS });
      new SecretsmanagerSecretVersion(s, 'copied', {
        secretId: bare.id,
        secretString: '${data.terraform_remote_state.genesys.outputs.client_secret}',
      });
    },
    compliant: (s) => {
      const secret = new SecretsmanagerSecret(s, 'secret', {
        name: 'loadlab/x/runner-0',
        kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
        tags: TAGS,
      });
      new SecretsmanagerSecretPolicy(s, 'policy', {
        secretArn: secret.arn,
        policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
      });
    },
  },
  'SEC-002': {
    broken: (s) => {
      const c = new OauthClient(s, 'c', {
        name: 'c',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 3600,
        roles: [{ roleId: 'r', divisionId: 'd' }],
      });
      new TerraformOutput(s, 'secret', { value: c.clientSecret });
    },
    compliant: (s) => {
      const c = new OauthClient(s, 'c', {
        name: 'c',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        accessTokenValiditySeconds: 3600,
        roles: [{ roleId: 'r', divisionId: 'd' }],
      });
      new TerraformOutput(s, 'secret', { value: c.clientSecret, sensitive: true });
    },
  },
  'TAG-001': {
    broken: (s) => void new SqsQueue(s, 'q', { name: 'q', kmsMasterKeyId: 'alias/k', tags: { project: 'genesys-loadlab' } }),
    compliant: (s) => void new SqsQueue(s, 'q', { name: 'q', kmsMasterKeyId: 'alias/k', tags: TAGS }),
  },
};

describe('LAMBDA-004 (deprecated runtimes)', () => {
  const fn = (runtime: string) => (s: Construct) => {
    new CloudwatchLogGroup(s, 'lg', { name: '/aws/lambda/fn', retentionInDays: 7, tags: TAGS });
    lambda(s, 'fn', { runtime });
  };

  it('names the deprecation day and the runtimes to use instead', () => {
    const [v] = check(fn('nodejs20.x'));
    expect(v.problem).toBe('runs nodejs20.x, deprecated since 2026-04-30');
    expect(v.fix).toMatch(/^use nodejs22\.x or nodejs24\.x /);
  });

  it('refuses the runtime we deploy once AWS deprecates it, so the suite says when to move on', () => {
    expect(check(fn(LAMBDA_RUNTIME))).toEqual([]);
    expect(rulesOf(check(fn(LAMBDA_RUNTIME), 86400, new Date(`${NODE_RUNTIME_DEPRECATION[LAMBDA_RUNTIME]}T00:00:00Z`)))).toEqual([
      'LAMBDA-004',
    ]);
  });

  it('passes the runtime every NodeFunction uses today', () => {
    expect(check(fn(LAMBDA_RUNTIME), 86400, new Date())).toEqual([]);
  });
});

describe('S3-007 (archive bucket protection)', () => {
  it('refuses a partial deny and a deny anyone can step around, naming each bucket', () => {
    const caught = check(CASES['S3-007'].broken).filter((v) => v.rule === 'S3-007');
    expect(caught.map((v) => v.address).sort()).toEqual([expect.stringContaining('loophole'), expect.stringContaining('unprotected')]);
    expect(caught[0].problem).toMatch(/^has no bucket policy denying s3:DeleteObjectVersion, .*s3:PutLifecycleConfiguration/);
  });

  it('refuses an SSE-KMS bucket whose policy lets puts name another key', () => {
    const caught = check((s) => {
      compliantBucket(s, 'anykey');
      (s.node.findChild('anykey-policy') as S3BucketPolicy).policy = toResourcePolicyJson([
        { effect: 'Deny', principal: '*', actions: ['s3:*'], resources: ['*'], conditions: { Bool: { 'aws:SecureTransport': 'false' } } },
        ...bucketProtectionStatements({ bucketArn: 'arn:aws:s3:::policy-anykey' }),
      ]);
    });
    expect(caught.map((v) => [v.rule, v.problem])).toEqual([
      [
        'S3-007',
        'has no bucket policy denying s3:PutObject with s3:x-amz-server-side-encryption other than aws:kms or s3:x-amz-server-side-encryption-aws-kms-key-id other than the bucket key',
      ],
    ]);
  });
});

describe('retired rules', () => {
  it('are no longer run, and each names the checkov checks that replace it', () => {
    for (const r of RETIRED_RULES) {
      expect(RULES.map((rule) => rule.id)).not.toContain(r.id);
      expect(r.checkov.length).toBeGreaterThan(0);
      for (const c of r.checkov) expect(c).toMatch(/^CKV2?_AWS_\d+$/);
    }
  });
});

describe('policy rules', () => {
  it('every rule has an id, a reason, guidance and a proven negative case', () => {
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[A-Z0-9]+-\d{3}$/);
      expect(rule.reason.length).toBeGreaterThan(10);
      expect(rule.guidance.length).toBeGreaterThan(5);
    }
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(Object.keys(CASES))('%s catches its broken construct and passes a compliant one', (id) => {
    const c = CASES[id];
    const broken = check(c.broken, c.maxTokenValiditySec);
    expect(rulesOf(broken)).toContain(id);
    const caught = broken.find((v) => v.rule === id)!;
    expect(caught.stack).toBe('policy-test');
    expect(caught.address).toMatch(/^(aws_|genesyscloud_|output\.)/);
    expect(caught.fix.length).toBeGreaterThan(5);
    expect(check(c.compliant, c.maxTokenValiditySec)).toEqual([]);
  });
});
