import { App, Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ServiceRole } from '../../lib/iam/service-role';
import type { IGrantable, PolicyStatement } from '../../lib/iam/policy';
import { ArchiveBucket, type ArchiveLifecycle } from '../../lib/archive/archive-bucket';
import { ArchiveKey, type KeyUseAction } from '../../lib/archive/archive-key';
import { checkPrefix, grantArchiveDelete, grantArchiveRead, grantArchiveWrite } from '../../lib/archive/grants';
import { ARCHIVE_PREFIXES, resultsPrefix } from '../../lib/archive/refs';
import { planBudget } from '../../lib/ratelimits';
import { ArchiveStack } from '../../stacks/archive-stack';
import { repoEnvironment, synthJson } from '../helpers/env';
import { statementsOf } from './bucket-checks';

/** Collects statements so they can be inspected before synthesis. */
class Recorder implements IGrantable {
  readonly statements: PolicyStatement[] = [];
  readonly roleArn = 'arn:aws:iam::111122223333:role/test';
  readonly roleName = 'test';
  addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}

const LIFECYCLE: ArchiveLifecycle = {
  transitionToInfrequentAccessDays: 30,
  transitionToColdDays: 180,
  coldStorageClass: 'GLACIER_IR',
  noncurrentVersionExpirationDays: 90,
};

function testBuckets(scope: Construct) {
  const key = new ArchiveKey(scope, 'key', { aliasName: 'alias/test', description: 'test', accountId: '111122223333' });
  const logs = new ArchiveBucket(scope, 'logs', {
    bucketName: 'test-logs',
    label: 'Logs',
    receivesAccessLogsFrom: { sourceAccountId: '111122223333' },
    lifecycle: { ...LIFECYCLE, expirationDays: 365 },
  });
  const results = new ArchiveBucket(scope, 'results', {
    bucketName: 'test-results',
    label: 'Results',
    encryptionKey: key,
    accessLogsTo: logs,
    lifecycle: LIFECYCLE,
  });
  return { key, logs, results };
}

describe('ArchiveBucket grants', () => {
  /** Synthesizes a stack where `grant` gives a ServiceRole access; returns the role's statements and resource ids. */
  function synthGrant(grant: (b: ReturnType<typeof testBuckets>, role: ServiceRole) => void) {
    const stack = new TerraformStack(Testing.app(), 's');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    const buckets = testBuckets(stack);
    const role = new ServiceRole(stack, 'role', { roleName: 'r', service: 'lambda.amazonaws.com', description: 'test' });
    grant(buckets, role);
    const json = synthJson(stack);
    const id = (type: string, prefix: string) => Object.keys(json.resource![type]).find((k) => k.startsWith(prefix))!;
    return {
      statements: statementsOf(Object.values(json.resource!.aws_iam_role_policy)[0].policy as string),
      resultsArn: `\${aws_s3_bucket.${id('aws_s3_bucket', 'results')}.arn}`,
      keyArn: `\${aws_kms_key.${id('aws_kms_key', 'key')}.arn}`,
    };
  }

  it('grantRead scopes objects and listing to the prefix and decrypts only through S3', () => {
    const { statements, resultsArn, keyArn } = synthGrant(({ results }, role) => results.grantRead(role, ARCHIVE_PREFIXES.metadata));
    expect(statements).toEqual([
      {
        Sid: 'ReadResultsMetadataObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: `${resultsArn}/metadata/*`,
      },
      {
        Sid: 'ReadResultsMetadataList',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: resultsArn,
        Condition: { StringLike: { 's3:prefix': ['metadata/*'] } },
      },
      {
        Sid: 'ReadResultsMetadataDecrypt',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keyArn,
        Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
      },
    ]);
  });

  it('grantWrite may put and abort uploads under the prefix, never delete', () => {
    const { statements, resultsArn, keyArn } = synthGrant(({ results }, role) => results.grantWrite(role, resultsPrefix('run-1')));
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      [['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], `${resultsArn}/results/run-1/*`],
      [['kms:GenerateDataKey', 'kms:Decrypt'], keyArn],
    ]);
    expect(statements.flatMap((s) => s.Action).some((a: string) => /Delete|\*/.test(a))).toBe(false);
  });

  it('a bucket without a key (the log bucket) grants no KMS actions', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const { logs } = testBuckets(stack);
    const role = new Recorder();
    logs.grantRead(role);
    expect(role.statements.flatMap((s) => s.actions)).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    expect(role.statements[1].conditions).toBeUndefined();
  });

  it.each([
    ['results', 'must end with "/"'],
    ['/results/', 'must not start with "/"'],
    ['results/*/', 'must not contain * or ?'],
  ])('refuses the prefix %j (%s)', (prefix, message) => {
    expect(() => checkPrefix(prefix)).toThrow(message);
  });

  it('resultsPrefix refuses test ids that would escape results/', () => {
    expect(resultsPrefix('2026-11-23_run.1')).toBe('results/2026-11-23_run.1/');
    expect(() => resultsPrefix('../other')).toThrow('testId must be');
    expect(() => resultsPrefix('')).toThrow('testId must be');
  });

  it('grants from the archive stack to a role in another stack become a cross-stack reference', () => {
    const app = Testing.app();
    const env = repoEnvironment('example');
    const archive = new ArchiveStack(app, { env, budget: planBudget(env.config) });
    const other = new TerraformStack(app, 'consumer');
    new AwsProvider(other, 'aws', { region: 'us-east-1' });
    const role = new ServiceRole(other, 'task', { roleName: 'task', service: 'ecs-tasks.amazonaws.com', description: 'test' });
    archive.archive.results.grantWrite(role, ARCHIVE_PREFIXES.results);
    archive.archive.key.grantEncryptDecrypt(role);
    app.synth();
    const json = synthJson(other);
    const policy = statementsOf(Object.values(json.resource!.aws_iam_role_policy)[0].policy as string);
    expect(policy.map((s) => s.Sid)).toEqual(['WriteResultsResultsObjects', 'WriteResultsResultsEncrypt', 'EncryptDecryptArchiveKey']);
    // The bucket ARN comes from the archive stack's state, not from a literal.
    expect(policy[0].Resource).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}\/results\/\*$/);
    expect(json.data?.terraform_remote_state).toBeDefined();
  });

  it('grantArchiveRead/grantArchiveWrite work from refs alone (shared archives)', () => {
    const role = new Recorder();
    const refs = {
      keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
      recordings: { name: 'r', arn: 'arn:aws:s3:::r' },
      results: { name: 'res', arn: 'arn:aws:s3:::res' },
      analytics: { name: 'rep', arn: 'arn:aws:s3:::rep' },
      exportRoleArn: 'arn:aws:iam::111122223333:role/x',
    };
    grantArchiveRead(role, refs, 'recordings', '3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b/');
    grantArchiveWrite(role, refs, 'analytics', ARCHIVE_PREFIXES.analytics);
    expect(role.statements.map((s) => [s.sid, s.resources])).toEqual([
      ['ReadRecordings3b4e9a1c2f0d4c559a7e1c2d3e4f5a6bObjects', ['arn:aws:s3:::r/3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b/*']],
      ['ReadRecordings3b4e9a1c2f0d4c559a7e1c2d3e4f5a6bList', ['arn:aws:s3:::r']],
      ['ReadRecordings3b4e9a1c2f0d4c559a7e1c2d3e4f5a6bDecrypt', ['arn:aws:kms:us-east-1:111122223333:key/k']],
      ['WriteAnalyticsAnalyticsObjects', ['arn:aws:s3:::rep/analytics/*']],
      ['WriteAnalyticsAnalyticsEncrypt', ['arn:aws:kms:us-east-1:111122223333:key/k']],
    ]);
  });
});

describe('ArchiveBucket and ArchiveKey refuse insecure or contradictory props', () => {
  const stack = () => new TerraformStack(new App(), 's');

  it('an archive bucket needs a key and an access-log bucket', () => {
    expect(() => new ArchiveBucket(stack(), 'b', { bucketName: 'plain-bucket', label: 'Plain', lifecycle: LIFECYCLE })).toThrow(
      'ArchiveBucket plain-bucket: encryptionKey is required: archive buckets are SSE-KMS (only the access-log bucket uses SSE-S3); accessLogsTo is required: every archive bucket logs its access',
    );
  });

  it('the access-log bucket cannot log into itself or use SSE-KMS', () => {
    const s = stack();
    const { key, logs } = testBuckets(s);
    expect(
      () =>
        new ArchiveBucket(s, 'logs2', {
          bucketName: 'logs-two',
          label: 'Logs2',
          encryptionKey: key,
          accessLogsTo: logs,
          receivesAccessLogsFrom: { sourceAccountId: '111122223333' },
          lifecycle: LIFECYCLE,
        }),
    ).toThrow(/accessLogsTo must be unset on the access-log bucket.*encryptionKey must be unset on the access-log bucket/);
  });

  it('accessLogsTo must be an access-log bucket', () => {
    const s = stack();
    const { key, results } = testBuckets(s);
    expect(
      () =>
        new ArchiveBucket(s, 'x', { bucketName: 'x-bucket', label: 'X', encryptionKey: key, accessLogsTo: results, lifecycle: LIFECYCLE }),
    ).toThrow('accessLogsTo must be a bucket created with receivesAccessLogsFrom');
  });

  it('lifecycle days S3 would reject fail at synth, naming the prop', () => {
    const s = stack();
    const { key, logs } = testBuckets(s);
    expect(
      () =>
        new ArchiveBucket(s, 'x', {
          bucketName: 'x-bucket',
          label: 'X',
          encryptionKey: key,
          accessLogsTo: logs,
          lifecycle: { ...LIFECYCLE, transitionToInfrequentAccessDays: 10, transitionToColdDays: 35 },
        }),
    ).toThrow(
      /transitionToInfrequentAccessDays must be an integer >= 30.*transitionToColdDays must be at least transitionToInfrequentAccessDays \+ 30 \(40\) \(got 35\)/,
    );
  });

  it('bucket names follow S3 rules', () => {
    const s = stack();
    const { key, logs } = testBuckets(s);
    expect(
      () => new ArchiveBucket(s, 'x', { bucketName: 'Bad_Name', label: 'X', encryptionKey: key, accessLogsTo: logs, lifecycle: LIFECYCLE }),
    ).toThrow('bucketName must be 3-63 lower-case letters');
  });

  it('an Allow for Principal "*" would make a bucket public and is refused', () => {
    const { results } = testBuckets(stack());
    expect(() => results.addToResourcePolicy({ principal: '*', actions: ['s3:GetObject'], resources: [`${results.arn}/*`] })).toThrow(
      'would make the bucket public',
    );
    expect(() =>
      results.addToResourcePolicy({ principal: { AWS: ['*'] }, actions: ['s3:GetObject'], resources: [`${results.arn}/*`] }),
    ).toThrow('would make the bucket public');
  });

  it('the key never gives kms:* (or anything but use actions) to a named user', () => {
    const { key } = testBuckets(stack());
    expect(() => key.addUser({ sid: 'Admin', principalArn: 'arn:aws:iam::1:role/x', actions: ['kms:*' as KeyUseAction] })).toThrow(
      'key user Admin: actions kms:* are not allowed',
    );
    expect(() =>
      key.addUser({ sid: 'AccountRootAdministersKey', principalArn: 'arn:aws:iam::1:role/x', actions: ['kms:Decrypt'] }),
    ).toThrow('key user sid must be unique');
  });

  it('the deletion window stays within what KMS accepts', () => {
    expect(
      () => new ArchiveKey(stack(), 'k', { aliasName: 'alias/x', description: 'x', accountId: '111122223333', deletionWindowDays: 3 }),
    ).toThrow('deletionWindowDays must be an integer from 7 to 30 (got 3)');
    expect(() => new ArchiveKey(stack(), 'k', { aliasName: 'alias/aws/s3', description: 'x', accountId: '111122223333' })).toThrow(
      'aliasName must be',
    );
  });

  describe('scopes below a prefix (key patterns)', () => {
    const refs = {
      keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
      recordings: { name: 'r', arn: 'arn:aws:s3:::r' },
      results: { name: 'res', arn: 'arn:aws:s3:::res' },
      analytics: { name: 'rep', arn: 'arn:aws:s3:::rep' },
      exportRoleArn: 'arn:aws:iam::111122223333:role/x',
    };

    it('reads only the named keys, lists them only when asked, and decrypts through S3', () => {
      const role = new Recorder();
      grantArchiveRead(role, refs, 'results', { prefix: 'results/', keys: ['example_*/plan/*'], name: 'TestPlans' }, { list: false });
      grantArchiveRead(role, refs, 'results', { prefix: 'results/', keys: ['example_*/*'], name: 'Tests' });
      expect(role.statements).toEqual([
        {
          sid: 'ReadResultsTestPlansObjects',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: ['arn:aws:s3:::res/results/example_*/plan/*'],
        },
        {
          sid: 'ReadResultsTestPlansDecrypt',
          actions: ['kms:Decrypt'],
          resources: [refs.keyArn],
          conditions: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
        },
        {
          sid: 'ReadResultsTestsObjects',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: ['arn:aws:s3:::res/results/example_*/*'],
        },
        {
          sid: 'ReadResultsTestsList',
          actions: ['s3:ListBucket'],
          resources: ['arn:aws:s3:::res'],
          conditions: { StringLike: { 's3:prefix': ['results/example_*/*'] } },
        },
        {
          sid: 'ReadResultsTestsDecrypt',
          actions: ['kms:Decrypt'],
          resources: [refs.keyArn],
          conditions: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
        },
      ]);
    });

    it('writes single objects without multipart when asked', () => {
      const role = new Recorder();
      grantArchiveWrite(
        role,
        refs,
        'results',
        { prefix: 'results/', keys: ['e_*/report.json', 'e_*/report.html'], name: 'Reports' },
        { multipart: false },
      );
      expect(role.statements[0]).toEqual({
        sid: 'WriteResultsReportsObjects',
        actions: ['s3:PutObject'],
        resources: ['arn:aws:s3:::res/results/e_*/report.json', 'arn:aws:s3:::res/results/e_*/report.html'],
      });
      expect(role.statements[1].actions).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
    });

    it('deletes only named key patterns, never a whole prefix', () => {
      const role = new Recorder();
      grantArchiveDelete(role, refs, 'analytics', { prefix: 'analytics/', keys: ['pending/*', '*/job.json'], name: 'Bookkeeping' });
      expect(role.statements).toEqual([
        {
          sid: 'DeleteAnalyticsBookkeeping',
          actions: ['s3:DeleteObject'],
          resources: ['arn:aws:s3:::rep/analytics/pending/*', 'arn:aws:s3:::rep/analytics/*/job.json'],
        },
      ]);
      expect(() => grantArchiveDelete(role, refs, 'analytics', { prefix: 'analytics/' })).toThrow('must name key patterns');
      expect(() => grantArchiveDelete(role, refs, 'analytics', { prefix: 'analytics/', keys: ['*'] })).toThrow('must name key patterns');
    });

    it.each([[[] as string[]], [['']], [['/abs/*']]])('refuses the key patterns %j', (keys) => {
      expect(() => grantArchiveRead(new Recorder(), refs, 'results', { prefix: 'results/', keys })).toThrow(/key pattern|at least one/);
    });

    it('still checks the literal prefix', () => {
      expect(() => grantArchiveRead(new Recorder(), refs, 'results', { prefix: 'results', keys: ['x'] })).toThrow('must end with "/"');
    });
  });
});
