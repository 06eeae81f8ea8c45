import { TerraformOutput, Testing } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { archiveNames } from '../../lib/archive/refs';
import type { Environment } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits';
import { ArchiveStack } from '../../stacks/archive-stack';
import { exampleInput, loadFrom, repoEnvironment, synthJson, type SynthesizedStack } from '../helpers/env';
import { archiveBucketProblems, PROTECTED_ACTIONS, statementsOf, type ExpectedLifecycle } from './bucket-checks';

const ORG = '3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b';
const DEFAULTS: ExpectedLifecycle = {
  transitionToInfrequentAccessDays: 30,
  transitionToColdDays: 180,
  coldStorageClass: 'GLACIER_IR',
};

/** Only the archive stack: its tests do not depend on how the other stacks are built. */
function archiveStack(env: Environment = repoEnvironment('example')): ArchiveStack {
  return new ArchiveStack(Testing.app(), { env, budget: planBudget(env.config) });
}

function archiveOf(input: any = exampleInput()): { json: SynthesizedStack; text: string } {
  const text = Testing.synth(archiveStack(loadFrom({ example: input }, 'example')));
  return { json: JSON.parse(text), text };
}

const example = (() => {
  let cached: { json: SynthesizedStack; text: string } | undefined;
  return () => (cached ??= archiveOf());
})();

/** Bodies of every resource of a type (untyped JSON). */
const all = (json: SynthesizedStack, type: string): Record<string, any>[] => Object.values(json.resource?.[type] ?? {});

const only = (json: SynthesizedStack, type: string): Record<string, any> => {
  const found = all(json, type);
  expect(found).toHaveLength(1);
  return found[0];
};

const exportRole = (json: SynthesizedStack) => only(json, 'aws_iam_role');
const exportPolicy = (json: SynthesizedStack) => statementsOf(only(json, 'aws_iam_role_policy').policy);
const keyPolicy = (json: SynthesizedStack) => statementsOf(only(json, 'aws_kms_key').policy);
const bucketRef = (json: SynthesizedStack, bucketName: string, attr: 'arn' | 'id') => {
  const [name] = Object.entries(json.resource!.aws_s3_bucket).find(([, b]) => b.bucket === bucketName)!;
  return `\${aws_s3_bucket.${name}.${attr}}`;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe('archive buckets (every aws_s3_bucket in the stack)', () => {
  it('creates the recordings, results, reports and access-log buckets by their deterministic names', () => {
    const names = archiveNames('example', '111122223333');
    const buckets = Object.values(example().json.resource!.aws_s3_bucket).map((b) => b.bucket);
    expect(buckets.sort()).toEqual([names.accessLogsBucket, names.recordingsBucket, names.analyticsBucket, names.resultsBucket].sort());
  });

  it('each bucket: public access blocked, SSE-KMS + bucket key, versioning, BucketOwnerEnforced, TLS-only, lifecycle, access logs, prevent_destroy', () => {
    expect(archiveBucketProblems(example().json, DEFAULTS)).toEqual([]);
  });

  it('the check catches a bucket added later without the ArchiveBucket construct', () => {
    const stack = archiveStack();
    new S3Bucket(stack, 'added-later', { bucket: 'loadlab-example-added-later' });
    const problems = archiveBucketProblems(synthJson(stack), DEFAULTS).filter((p) => p.startsWith('added-later'));
    expect(problems).toEqual([
      'added-later: force_destroy must be false',
      'added-later: lifecycle.prevent_destroy must be true',
      'added-later: needs one public access block with all four flags true',
      'added-later: ownership must be BucketOwnerEnforced',
      'added-later: versioning must be Enabled',
      'added-later: needs default encryption',
      'added-later: bucket policy needs a TLS-only deny on the bucket and its objects',
      `added-later: bucket policy must deny ${PROTECTED_ACTIONS.join(', ')} to all but nobody`,
      'added-later: bucket policy must deny puts asking for other than SSE-KMS',
      'added-later: bucket policy must deny puts naming another key than the default one',
      'added-later: needs a lifecycle configuration',
      'added-later: lifecycle must move objects to STANDARD_IA after 30 days',
      'added-later: lifecycle must move objects to GLACIER_IR after 180 days',
      'added-later: lifecycle must abort incomplete multipart uploads after 7 days',
      'added-later: needs server access logging to the access-log bucket',
    ]);
  });

  it('only the access-log bucket uses SSE-S3, and it receives logs only from the archive buckets of this account', () => {
    const { json } = example();
    const names = archiveNames('example', '111122223333');
    const logs = bucketRef(json, names.accessLogsBucket, 'id');
    const sse = all(json, 'aws_s3_bucket_server_side_encryption_configuration');
    expect(sse.filter((s) => s.rule[0].apply_server_side_encryption_by_default.sse_algorithm === 'AES256').map((s) => s.bucket)).toEqual([
      logs,
    ]);
    const [policy] = all(json, 'aws_s3_bucket_policy').filter((p) => p.bucket === logs);
    const delivery = statementsOf(policy.policy).find((s) => s.Sid === 'AllowServerAccessLogDelivery')!;
    expect(delivery.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
    expect(delivery.Action).toBe('s3:PutObject');
    expect(delivery.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '111122223333' });
    const sources = [names.recordingsBucket, names.resultsBucket, names.analyticsBucket];
    expect(delivery.Condition.ArnLike['aws:SourceArn'].sort()).toEqual(sources.map((b) => bucketRef(json, b, 'arn')).sort());
    for (const b of sources) expect(delivery.Resource).toContain(`${bucketRef(json, names.accessLogsBucket, 'arn')}/${b}/*`);
  });

  it('lifecycle days and the cold storage class follow the config; access logs expire after accessLogRetentionDays', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive = {
      transitionToInfrequentAccessDays: 45,
      transitionToColdDays: 120,
      noncurrentVersionExpirationDays: 30,
      // Old versions may expire only once their lock has: at least the retention.
      objectLock: { retentionDays: 30 },
      coldStorageClass: 'DEEP_ARCHIVE',
      accessLogRetentionDays: 60,
    };
    const { json } = archiveOf(input);
    expect(
      archiveBucketProblems(json, {
        transitionToInfrequentAccessDays: 45,
        transitionToColdDays: 120,
        coldStorageClass: 'DEEP_ARCHIVE',
        noncurrentVersionExpirationDays: 30,
      }),
    ).toEqual([]);
    const logs = bucketRef(json, archiveNames('example', '111122223333').accessLogsBucket, 'id');
    const [logRule] = all(json, 'aws_s3_bucket_lifecycle_configuration').find((l) => l.bucket === logs)!.rule;
    expect(logRule.expiration).toEqual([{ days: 60 }]);
    // Objects that expire after 60 days are not moved to DEEP_ARCHIVE at 120.
    expect(logRule.transition).toEqual([{ days: 45, storage_class: 'STANDARD_IA' }]);
  });

  it('archive buckets keep data: no current-version expiration, only expired delete markers are cleaned', () => {
    const { json } = example();
    const logs = bucketRef(json, archiveNames('example', '111122223333').accessLogsBucket, 'id');
    for (const lc of all(json, 'aws_s3_bucket_lifecycle_configuration').filter((l) => l.bucket !== logs)) {
      expect(lc.rule.flatMap((r: any) => r.expiration ?? [])).toEqual([{ expired_object_delete_marker: true }]);
    }
  });
});

describe('object lock', () => {
  it('is on by default for the recordings bucket: GOVERNANCE, 365 days', () => {
    const { json, text } = example();
    const lock = only(json, 'aws_s3_bucket_object_lock_configuration');
    expect(lock.bucket).toBe(bucketRef(json, archiveNames('example', '111122223333').recordingsBucket, 'id'));
    expect(text).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, {
      object_lock_enabled: 'Enabled',
      rule: { default_retention: { mode: 'GOVERNANCE', days: 365 } },
    });
  });

  it('archive.objectLock.enabled false leaves it off', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive.objectLock = { enabled: false };
    expect(archiveOf(input).json.resource!.aws_s3_bucket_object_lock_configuration).toBeUndefined();
  });

  it('refuses a noncurrent-version expiration shorter than the retention, naming both fields', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive.noncurrentVersionExpirationDays = 90;
    expect(() => loadFrom({ example: input }, 'example')).toThrow(
      'archive.noncurrentVersionExpirationDays must be at least archive.objectLock.retentionDays (365): S3 keeps locked versions anyway; raise it or remove it to keep versions for ever (got 90)',
    );
    input.archive.objectLock = { enabled: false };
    expect(() => loadFrom({ example: input }, 'example')).not.toThrow();
  });

  it.each(['GOVERNANCE', 'COMPLIANCE'])('%s mode from config applies to the recordings bucket only', (mode) => {
    const input = exampleInput() as Record<string, any>;
    input.archive.objectLock = { mode, retentionDays: 400 };
    const { json, text } = archiveOf(input);
    const lock = only(json, 'aws_s3_bucket_object_lock_configuration');
    expect(lock.bucket).toBe(bucketRef(json, archiveNames('example', '111122223333').recordingsBucket, 'id'));
    expect(text).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, {
      object_lock_enabled: 'Enabled',
      rule: { default_retention: { mode, days: 400 } },
    });
    expect(lock.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
    // Enabling it later must not replace the bucket (object_lock_enabled on the bucket forces a new one).
    for (const b of all(json, 'aws_s3_bucket')) expect(b).not.toHaveProperty('object_lock_enabled');
  });

  it('rejects a mode other than GOVERNANCE or COMPLIANCE, naming the field', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive.objectLock = { mode: 'LEGAL', retentionDays: 1 };
    expect(() => loadFrom({ example: input }, 'example')).toThrow(
      'archive.objectLock.mode must be one of GOVERNANCE, COMPLIANCE (got "LEGAL")',
    );
  });
});

describe('KMS key', () => {
  it('rotates, has the alias other environments look it up by, and is never destroyed', () => {
    const { text, json } = example();
    expect(text).toHaveResourceWithProperties(KmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    const [keyName] = Object.keys(json.resource!.aws_kms_key);
    expect(text).toHaveResourceWithProperties(KmsAlias, {
      name: 'alias/loadlab-example-archive',
      target_key_id: `\${aws_kms_key.${keyName}.key_id}`,
    });
  });

  it('key policy: the account root administers it (so IAM can grant use); nobody else gets kms:* or any wildcard action', () => {
    const statements = keyPolicy(example().json);
    const root = statements.find((s) => s.Sid === 'AccountRootAdministersKey')!;
    expect(root).toMatchObject({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*' });
    for (const s of statements.filter((x) => x !== root)) {
      expect(list(s.Principal.AWS)).not.toContain('arn:aws:iam::111122223333:root');
      expect(list(s.Principal.AWS)).not.toContain('*');
      for (const action of list(s.Action)) expect(action).not.toMatch(/\*/);
    }
  });

  it('names the export role with encrypt-only actions, limited to S3 writing the recordings bucket', () => {
    const { json } = example();
    const roleName = Object.keys(json.resource!.aws_iam_role)[0];
    const recordings = bucketRef(json, archiveNames('example', '111122223333').recordingsBucket, 'arn');
    const s = keyPolicy(json).find((x) => x.Sid === 'GenesysExportEncryptsRecordings')!;
    expect(s.Principal).toEqual({ AWS: `\${aws_iam_role.${roleName}.arn}` });
    expect(list(s.Action).sort()).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(s.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [recordings, `${recordings}/*`] },
    });
  });

  it('every SSE-KMS bucket uses this key', () => {
    const { json } = example();
    const keyArn = `\${aws_kms_key.${Object.keys(json.resource!.aws_kms_key)[0]}.arn}`;
    const kms = all(json, 'aws_s3_bucket_server_side_encryption_configuration').filter(
      (s) => s.rule[0].apply_server_side_encryption_by_default.sse_algorithm === 'aws:kms',
    );
    expect(kms).toHaveLength(3);
    for (const s of kms) expect(s.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(keyArn);
  });
});

describe('Genesys export role', () => {
  it('trusts only the Genesys Cloud account, with the org id as sts:ExternalId', () => {
    const role = exportRole(example().json);
    expect(role.name).toBe('loadlab-example-genesys-recording-export');
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'GenesysCloudAssumesWithOrgId',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::765628985471:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': ORG } },
        },
      ],
    });
  });

  it('trusts the FedRAMP account 325654371633 when the Genesys region is us-east-2', () => {
    const input = exampleInput() as Record<string, any>;
    input.genesys.region = 'us-east-2';
    const trust = JSON.parse(exportRole(archiveOf(input).json).assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::325654371633:root' });
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': ORG } });
  });

  it('may only put objects under <orgId>/, read bucket location and encryption, and encrypt with the key', () => {
    const { json } = example();
    const recordings = bucketRef(json, archiveNames('example', '111122223333').recordingsBucket, 'arn');
    const keyArn = `\${aws_kms_key.${Object.keys(json.resource!.aws_kms_key)[0]}.arn}`;
    const statements = exportPolicy(json).map((s) => ({ actions: list(s.Action).sort(), resources: list(s.Resource), effect: s.Effect }));
    expect(statements).toEqual([
      { effect: 'Allow', actions: ['s3:PutObject'], resources: [`${recordings}/${ORG}/*`] },
      { effect: 'Allow', actions: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration'], resources: [recordings] },
      { effect: 'Allow', actions: ['kms:Encrypt', 'kms:GenerateDataKey'], resources: [keyArn] },
    ]);
  });

  it('has no wildcard action and no wildcard resource', () => {
    for (const s of exportPolicy(example().json)) {
      for (const action of list(s.Action)) expect(action).not.toContain('*');
      for (const resource of list(s.Resource) as string[]) {
        expect(resource).not.toBe('*');
        // The only * is the object suffix under the org prefix.
        expect(resource.replace(`/${ORG}/*`, '')).not.toContain('*');
      }
    }
  });

  it('adds the unconfirmed extras only when archive.exportRoleExtraActions asks for them', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive.exportRoleExtraActions = ['s3:PutObjectAcl', 'kms:Decrypt'];
    const { json } = archiveOf(input);
    const actions = exportPolicy(json).flatMap((s) => list(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObjectAcl', 'kms:Decrypt']));
    expect(list(keyPolicy(json).find((s) => s.Sid === 'GenesysExportEncryptsRecordings')!.Action)).toContain('kms:Decrypt');
    input.archive.exportRoleExtraActions = ['s3:DeleteObject'];
    expect(() => loadFrom({ example: input }, 'example')).toThrow(
      /archive\.exportRoleExtraActions\[0\] must be one of s3:PutObjectAcl, kms:Decrypt/,
    );
  });

  it('uses the GovCloud partition in every ARN when the AWS region is in it', () => {
    const input = exampleInput() as Record<string, any>;
    input.aws.region = 'us-gov-west-1';
    const { json } = archiveOf(input);
    expect(JSON.parse(exportRole(json).assume_role_policy).Statement[0].Principal.AWS).toBe('arn:aws-us-gov:iam::765628985471:root');
    expect(keyPolicy(json)[0].Principal.AWS).toBe('arn:aws-us-gov:iam::111122223333:root');
  });
});

describe('durability and outputs', () => {
  it('prevent_destroy on every bucket and the key; force_destroy false on every bucket', () => {
    const { json } = example();
    for (const type of ['aws_s3_bucket', 'aws_kms_key']) {
      const resources = all(json, type);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r.lifecycle).toEqual({ prevent_destroy: true });
    }
    for (const b of all(json, 'aws_s3_bucket')) expect(b.force_destroy).toBe(false);
  });

  it('outputs bucket names and ARNs, the key ARN and the export role ARN', () => {
    const outputs = example().json.output!;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'access_logs_bucket_name',
        'export_role_arn',
        'key_arn',
        'recordings_bucket_arn',
        'recordings_bucket_name',
        'analytics_bucket_arn',
        'analytics_bucket_name',
        'results_bucket_arn',
        'results_bucket_name',
      ].sort(),
    );
    expect(outputs.key_arn.value).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
    expect(outputs.export_role_arn.value).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
    expect(outputs.recordings_bucket_name.value).toMatch(/^\$\{aws_s3_bucket\.archive_recordings_[^.]+\.id\}$/);
  });

  it('refs hand the same resources to the other stacks', () => {
    const archive = archiveStack();
    const a = archive.archive;
    // Outputs resolve the tokens, so both sides can be compared as Terraform expressions.
    new TerraformOutput(archive, 'refs_under_test', { value: archive.refs });
    new TerraformOutput(archive, 'refs_expected', {
      value: {
        keyArn: a.key.key.arn,
        recordings: { name: a.recordings.bucket.id, arn: a.recordings.bucket.arn },
        results: { name: a.results.bucket.id, arn: a.results.bucket.arn },
        analytics: { name: a.analytics.bucket.id, arn: a.analytics.bucket.arn },
        exportRoleArn: a.exportRole.role.arn,
      },
    });
    const outputs = synthJson(archive).output!;
    expect(outputs.refs_under_test.value).toEqual(outputs.refs_expected.value);
    expect((outputs.refs_under_test.value as any).keyArn).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
  });
});
