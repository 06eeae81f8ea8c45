/** Storage rules: archive buckets encrypted with the customer-managed key and TLS-only; key policies least privilege. */
import { actionsOf, iamPolicies, parsePolicy, type IamStatement } from '../resources';
import { attachedTo, refersTo, resources, type Resource } from '../terraform-json';
import type { PolicyRule, PolicyTarget } from '../types';
import { violation } from './violation';
import { DECRYPT_ACTIONS, PROTECTED_BUCKET_ACTIONS, PROTECTED_KEY_ACTIONS, SSE_HEADER, SSE_KEY_HEADER } from '../../archive/protection';

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

/** A Deny for everyone, at most excepting principals by ARN (the break-glass role). */
const denyForAllBut = (s: IamStatement): boolean => {
  if (s.Effect !== 'Deny' || s.Principal !== '*') return false;
  const operators = Object.entries(s.Condition ?? {});
  return operators.every(
    ([op, keys]) => ['ArnNotLike', 'ArnNotEquals'].includes(op) && Object.keys(keys).every((k) => k === 'aws:PrincipalArn'),
  );
};

const denies = (statements: IamStatement[], actions: readonly string[], service: string): boolean =>
  actions.every((a) => statements.some((s) => denyForAllBut(s) && actionsOf(s).some((x) => x === a || x === `${service}:*`)));

const putDeny = (statements: IamStatement[], header: string): boolean =>
  statements.some(
    (s) =>
      s.Effect === 'Deny' &&
      s.Principal === '*' &&
      actionsOf(s).includes('s3:PutObject') &&
      (s.Condition?.StringNotEqualsIfExists as Record<string, unknown> | undefined)?.[header] !== undefined,
  );

const isKmsBucket = (bucket: Resource, t: PolicyTarget): boolean =>
  attachedTo(t.json, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket', bucket).some((c) =>
    ((c.body.rule as { apply_server_side_encryption_by_default?: { sse_algorithm?: string } }[]) ?? []).some(
      (r) => r.apply_server_side_encryption_by_default?.sse_algorithm === 'aws:kms',
    ),
  );

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
    id: 'S3-007',
    reason: 'Archived data survives API calls: no version deletion, no change to what protects it, no put with another key.',
    guidance: `${S3_GUIDE}; S3 Object Lock and bucket policies (docs/archive.md)`,
    check: (t) =>
      resources(t.json, 'aws_s3_bucket').flatMap((bucket) => {
        const statements = attachedTo(t.json, 'aws_s3_bucket_policy', 'bucket', bucket).flatMap((p) => parsePolicy(p.body.policy) ?? []);
        const missing: string[] = [];
        if (!denies(statements, PROTECTED_BUCKET_ACTIONS, 's3')) missing.push(PROTECTED_BUCKET_ACTIONS.join(', '));
        if (isKmsBucket(bucket, t) && !(putDeny(statements, SSE_HEADER) && putDeny(statements, SSE_KEY_HEADER))) {
          missing.push(`s3:PutObject with ${SSE_HEADER} other than aws:kms or ${SSE_KEY_HEADER} other than the bucket key`);
        }
        return missing.length === 0
          ? []
          : [
              violation(
                'S3-007',
                t,
                bucket,
                `has no bucket policy denying ${missing.join('; ')}`,
                'use ArchiveBucket (lib/archive), whose policy carries bucketProtectionStatements; Deny for Principal "*", excepting at most the break-glass role by aws:PrincipalArn',
              ),
            ];
      }),
  },
  {
    id: 'KMS-003',
    reason:
      'A key Terraform must never destroy (prevent_destroy) cannot be deleted, disabled or re-policied by API either, and only named roles decrypt.',
    guidance: 'AWS KMS key policies: deny statements and the lockout safety check (docs/archive.md)',
    check: (t) =>
      iamPolicies(t.json)
        .filter(
          (p) => p.kind === 'key' && (p.resource.body.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true,
        )
        .flatMap((p) => {
          const statements = p.statements ?? [];
          const decryptLimited = statements.some(
            (s) =>
              s.Effect === 'Deny' &&
              s.Principal === '*' &&
              DECRYPT_ACTIONS.every((a) => actionsOf(s).includes(a)) &&
              (s.Condition?.ArnNotLike as Record<string, unknown> | undefined)?.['aws:PrincipalArn'] !== undefined,
          );
          if (denies(statements, PROTECTED_KEY_ACTIONS, 'kms') && decryptLimited) return [];
          return [
            violation(
              'KMS-003',
              t,
              p.resource,
              `key policy must deny ${PROTECTED_KEY_ACTIONS.join(', ')} to all but break-glass, and ${DECRYPT_ACTIONS.join(', ')} to all but named roles`,
              'use ArchiveKey (lib/archive), whose policy carries keyProtectionStatements',
            ),
          ];
        }),
  },
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
