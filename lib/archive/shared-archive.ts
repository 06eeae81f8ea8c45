import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsS3Bucket } from '@cdktf/provider-aws/lib/data-aws-s3-bucket';
import { DataAwsKmsAlias } from '@cdktf/provider-aws/lib/data-aws-kms-alias';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import type { Environment } from '../config';
import { archiveNames, type ArchiveRefs } from './refs';

/** Data sources finding another environment's archive by its deterministic names. */
class SharedArchiveLookup extends Construct {
  readonly refs: ArchiveRefs;

  constructor(scope: Construct, id: string, ownerEnv: string, accountId: string) {
    super(scope, id);
    const names = archiveNames(ownerEnv, accountId);
    const bucket = (id: string, name: string) => {
      const b = new DataAwsS3Bucket(this, id, { bucket: name });
      return { name: b.bucket, arn: b.arn };
    };
    const key = new DataAwsKmsAlias(this, 'key-alias', { name: names.keyAlias });
    const role = new DataAwsIamRole(this, 'export-role', { name: names.exportRole });
    this.refs = {
      // The alias resolves to the key itself: grants and SSE need the key ARN, not the alias ARN.
      keyArn: key.targetKeyArn,
      recordings: bucket('recordings', names.recordingsBucket),
      results: bucket('results', names.resultsBucket),
      analytics: bucket('analytics', names.analyticsBucket),
      exportRoleArn: role.arn,
    };
  }
}

const LOOKUP_ID = 'shared-archive';

/**
 * The archive an environment's genesys and runners stacks use: `provided` (the archive stack's
 * refs) when the environment has its own archive; otherwise — a `pr-*` environment, or any with
 * `archive.shareFrom` — the owner environment's archive, looked up in the same account by name
 * (`data aws_s3_bucket`, `data aws_kms_alias`, `data aws_iam_role`), once per stack. Nothing of
 * the shared archive is managed here, so destroying the stack never touches it.
 */
export function archiveRefsFor(scope: Construct, env: Environment, provided?: ArchiveRefs): ArchiveRefs {
  if (provided) return provided;
  if (!env.config.archive.shareFrom) {
    throw new Error(
      `archiveRefsFor(${env.name}): the environment has its own archive (archive.shareFrom is unset); pass the archive stack's refs`,
    );
  }
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(LOOKUP_ID);
  if (existing instanceof SharedArchiveLookup) return existing.refs;
  return new SharedArchiveLookup(stack, LOOKUP_ID, env.archiveOwner, env.config.aws.accountId).refs;
}
