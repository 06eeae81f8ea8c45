/**
 * The archive survives API calls, not only Terraform: bucket-policy and key-policy denies,
 * asserted on the synthesized JSON of the archive stack (and of the stacks that use the key).
 */
import { Testing } from 'cdktf';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { archiveNames } from '../../lib/archive/refs';
import { WORKLOAD_ROLE_NAME_PATTERNS } from '../../lib/archive/protection';
import type { Environment } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits';
import { ArchiveStack } from '../../stacks/archive-stack';
import { exampleInput, loadFrom, resourcesOf, synthEnvironment, synthJson, type SynthesizedStack } from '../helpers/env';
import { archiveBucketProblems, statementsOf } from './bucket-checks';

const BREAK_GLASS = 'arn:aws:iam::111122223333:role/archive-break-glass';
const READER = 'arn:aws:iam::111122223333:role/recordings-analyst';
const ACCOUNT = '111122223333';

function archiveText(mutate: (input: Record<string, any>) => void = () => undefined): string {
  const input = exampleInput() as Record<string, any>;
  mutate(input);
  const env = loadFrom({ example: input }, 'example');
  return Testing.synth(new ArchiveStack(Testing.app(), { env, budget: planBudget(env.config) }));
}

const keyStatements = (json: SynthesizedStack) => statementsOf((Object.values(json.resource!.aws_kms_key)[0] as any).policy);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe('bucket policies', () => {
  const defaults = { transitionToInfrequentAccessDays: 30, transitionToColdDays: 180, coldStorageClass: 'GLACIER_IR' };

  it('without a break-glass role, deny version deletion and protection changes to everyone', () => {
    const json = JSON.parse(archiveText());
    expect(archiveBucketProblems(json, defaults)).toEqual([]);
  });

  it('archive.breakGlassRoleArn is the one principal excepted, on every bucket', () => {
    const text = archiveText((i) => (i.archive.breakGlassRoleArn = BREAK_GLASS));
    const json = JSON.parse(text);
    expect(archiveBucketProblems(json, { ...defaults, breakGlassRoleArn: BREAK_GLASS })).toEqual([]);
    // Puts with another key are refused to break-glass too: there is never a reason for them.
    const recordings = `\${aws_s3_bucket.${Object.entries(json.resource.aws_s3_bucket).find(([, b]: any) => b.bucket === archiveNames('example', ACCOUNT).recordingsBucket)![0]}.arn}`;
    expect(text).toHaveResourceWithProperties(S3BucketPolicy, {
      policy: expect.stringContaining('"Sid":"DenyPutWithAnotherKey"') as unknown as string,
    });
    const policy = (Object.values(json.resource.aws_s3_bucket_policy) as any[]).find((p) => p.policy.includes(`${recordings}/*`));
    const another = statementsOf(policy.policy).find((s) => s.Sid === 'DenyPutWithAnotherKey')!;
    expect(another.Condition).toEqual({
      StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) },
    });
  });

  it('refuses a break-glass value that is not an IAM role ARN, naming the field', () => {
    expect(() => archiveText((i) => (i.archive.breakGlassRoleArn = 'admin'))).toThrow(
      'archive.breakGlassRoleArn must be an IAM role ARN such as arn:aws:iam::111122223333:role/name (got "admin")',
    );
  });
});

describe('key policy', () => {
  it('denies deletion, disabling and policy changes to everyone but break-glass, and bypasses the lockout check on purpose', () => {
    const text = archiveText((i) => (i.archive.breakGlassRoleArn = BREAK_GLASS));
    expect(text).toHaveResourceWithProperties(KmsKey, { bypass_policy_lockout_safety_check: true, lifecycle: { prevent_destroy: true } });
    const deny = keyStatements(JSON.parse(text)).find((s) => s.Sid === 'DenyKeyDeletionAndPolicyChanges')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Resource: '*' });
    expect(list(deny.Action).sort()).toEqual(['kms:DisableKey', 'kms:DisableKeyRotation', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']);
    expect(deny.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS } });
    const none = keyStatements(JSON.parse(archiveText())).find((s) => s.Sid === 'DenyKeyDeletionAndPolicyChanges')!;
    expect(none.Condition).toBeUndefined();
  });

  it('lets only the workload roles, the readers and break-glass decrypt', () => {
    const json = JSON.parse(
      archiveText((i) => {
        i.archive.breakGlassRoleArn = BREAK_GLASS;
        i.archive.readerRoleArns = [READER];
      }),
    );
    const deny = keyStatements(json).find((s) => s.Sid === 'DecryptOnlyByWorkloadAndReaders')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Resource: '*' });
    expect(list(deny.Action).sort()).toEqual(['kms:Decrypt', 'kms:ReEncryptFrom']);
    expect(deny.Condition).toEqual({
      ArnNotLike: {
        'aws:PrincipalArn': [...WORKLOAD_ROLE_NAME_PATTERNS.map((n) => `arn:aws:iam::${ACCOUNT}:role/${n}`), READER, BREAK_GLASS],
      },
    });
  });

  it('adds the export role to the decryptors only when kms:Decrypt is one of its extra actions', () => {
    const decryptors = (json: SynthesizedStack) =>
      list(keyStatements(json).find((s) => s.Sid === 'DecryptOnlyByWorkloadAndReaders')!.Condition.ArnNotLike['aws:PrincipalArn']);
    const exportRole = (json: SynthesizedStack) => `\${aws_iam_role.${Object.keys(json.resource!.aws_iam_role)[0]}.arn}`;
    const plain = JSON.parse(archiveText());
    expect(decryptors(plain)).not.toContain(exportRole(plain));
    const withDecrypt = JSON.parse(archiveText((i) => (i.archive.exportRoleExtraActions = ['kms:Decrypt'])));
    expect(decryptors(withDecrypt)).toContain(exportRole(withDecrypt));
  });
});

/** `loadlab-*-runner-*` as a regular expression over a whole role name. */
const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/** Names of the roles whose inline policy grants kms:Decrypt on a key the stack does not own (the archive key). */
function archiveDecryptors(json: SynthesizedStack): string[] {
  const roles = resourcesOf(json).filter(([type]) => type === 'aws_iam_role');
  const ownKeys = new Set(Object.keys(json.resource?.aws_kms_key ?? {}).map((name) => `\${aws_kms_key.${name}.arn}`));
  return resourcesOf(json)
    .filter(([type]) => type === 'aws_iam_role_policy')
    .filter(([, , body]) =>
      statementsOf(body.policy as string).some(
        (s) => list(s.Action).includes('kms:Decrypt') && list(s.Resource).some((r) => !ownKeys.has(String(r))),
      ),
    )
    .map(([, , body]) => {
      const [, , role] = roles.find(
        ([, name]) => body.role === `\${aws_iam_role.${name}.id}` || body.role === `\${aws_iam_role.${name}.name}`,
      )!;
      return String(role.name);
    });
}

describe.each([
  ['example', () => loadFrom({ example: exampleInput() }, 'example')],
  ['pr-7 (shares the base archive)', () => loadFrom({ example: exampleInput() }, 'pr-7', 'example')],
])('%s: every role granted decryption with the archive key is a workload role the key policy names', (_name, load: () => Environment) => {
  it('matches WORKLOAD_ROLE_NAME_PATTERNS', () => {
    const { stacks } = synthEnvironment(load());
    const names = archiveDecryptors(synthJson(stacks.runners));
    // Shards, the report step and both pipeline workers: the check cannot pass on an empty list.
    for (const kind of ['-runner-0', '-report-step', '-metadata-worker', '-report-jobs']) {
      expect(names.some((n) => n.endsWith(kind))).toBe(true);
    }
    for (const name of names)
      expect({ name, named: WORKLOAD_ROLE_NAME_PATTERNS.some((p) => globToRegExp(p).test(name)) }).toEqual({ name, named: true });
  });
});
