/** Storage rules: archive buckets encrypted with the customer-managed key and TLS-only; key policies least privilege. */
import { actionsOf, attachedTo, iamPolicies, parsePolicy, refersTo, resources, type IamStatement } from '../resources';
import type { PolicyRule, PolicyTarget, Resource } from '../types';
import { violation } from './violation';

/** Checks every aws_s3_bucket for one companion resource that satisfies `ok`. */
function bucketRule(
  id: string,
  reason: string,
  guidance: string,
  companion: { type: string; field: string },
  ok: (companion: Resource) => boolean,
  problem: string,
  fix: string,
): PolicyRule {
  return {
    id,
    reason,
    guidance,
    check: (t) =>
      resources(t.json, 'aws_s3_bucket')
        .filter((bucket) => !attachedTo(t.json, companion.type, companion.field, bucket).some(ok))
        .map((bucket) => violation(id, t, bucket, problem, fix)),
  };
}

const S3_GUIDE = 'AWS S3 security best practices (docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html)';

/** The one exception AWS forces: server access log target buckets cannot use SSE-KMS. */
const isAccessLogTarget = (bucket: Resource, t: PolicyTarget): boolean =>
  resources(t.json, 'aws_s3_bucket_logging').some((l) => refersTo(l.body.target_bucket, bucket));

const secureTransportDeny = (s: IamStatement): boolean => {
  const bool = s.Condition?.Bool as Record<string, unknown> | undefined;
  return s.Effect === 'Deny' && bool !== undefined && String(bool['aws:SecureTransport']) === 'false';
};

export const STORAGE_RULES: readonly PolicyRule[] = [
  {
    id: 'S3-002',
    reason: 'Archived recordings and results are encrypted with the customer-managed key.',
    guidance: `${S3_GUIDE}; SSE-KMS. Exception: server access log targets support SSE-S3 only (AWS S3 server access logging docs)`,
    check: (t) =>
      resources(t.json, 'aws_s3_bucket').flatMap((bucket) => {
        const algos = attachedTo(t.json, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket', bucket).flatMap((c) =>
          ((c.body.rule as { apply_server_side_encryption_by_default?: { sse_algorithm?: string } }[]) ?? []).map(
            (r) => r.apply_server_side_encryption_by_default?.sse_algorithm,
          ),
        );
        if (algos.some((a) => a === 'aws:kms' || a === 'aws:kms:dsse')) return [];
        if (algos.includes('AES256') && isAccessLogTarget(bucket, t)) return [];
        return [
          violation(
            'S3-002',
            t,
            bucket,
            `is not encrypted with SSE-KMS (found ${algos.join(', ') || 'no encryption configuration'})`,
            'add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms, the archive key and bucket_key_enabled',
          ),
        ];
      }),
  },
  bucketRule(
    'S3-004',
    'Data must only move over TLS.',
    `${S3_GUIDE}; enforce encryption of data in transit (aws:SecureTransport)`,
    { type: 'aws_s3_bucket_policy', field: 'bucket' },
    (p) => (parsePolicy(p.body.policy) ?? []).some(secureTransportDeny),
    'has no bucket policy denying requests without TLS',
    'add a Deny statement for s3:* with Condition Bool aws:SecureTransport = false',
  ),
  {
    id: 'KMS-002',
    reason: 'Only the account root may hold kms:* on a key; everyone else gets named actions.',
    guidance: 'AWS KMS key policies: default key policy and least privilege',
    check: (t) =>
      iamPolicies(t.json)
        .filter((p) => p.kind === 'key')
        .flatMap((p) =>
          (p.statements ?? [])
            .filter((s) => s.Effect !== 'Deny' && actionsOf(s).some((a) => a === 'kms:*' || a === '*'))
            .filter(
              (s) =>
                !/^arn:aws[a-z-]*:iam::(\d{12}|\$\{[^}]+\}):root$/.test(String((s.Principal as { AWS?: unknown } | undefined)?.AWS ?? '')),
            )
            .map(() =>
              violation(
                'KMS-002',
                t,
                p.resource,
                'grants kms:* to a principal other than the account root',
                'grant the named kms actions the principal needs (kms:Decrypt, kms:GenerateDataKey, ...)',
              ),
            ),
        ),
  },
];
