/**
 * Hand-written rules retired because checkov (scripts/scan-iac.sh) checks the same thing on every
 * synthesized stack. scripts/checkov-canary.ts proves, on each scan, that checkov still fails a
 * construct broken the way each of these rules used to catch.
 */
export interface RetiredRule {
  readonly id: string;
  readonly rule: string;
  /** The checkov checks that replace it; each must fail on the rule's broken construct. */
  readonly checkov: readonly string[];
}

export const RETIRED_RULES: readonly RetiredRule[] = [
  {
    id: 'S3-001',
    rule: 'all four public-access-block flags on every bucket',
    checkov: ['CKV2_AWS_6', 'CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56'],
  },
  { id: 'S3-003', rule: 'versioning enabled', checkov: ['CKV_AWS_21'] },
  { id: 'S3-005', rule: 'object ownership BucketOwnerEnforced (ACLs off)', checkov: ['CKV2_AWS_65'] },
  { id: 'S3-006', rule: 'a lifecycle configuration', checkov: ['CKV2_AWS_61'] },
  { id: 'KMS-001', rule: 'key rotation on', checkov: ['CKV_AWS_7'] },
  { id: 'SQS-001', rule: 'queues encrypted', checkov: ['CKV_AWS_27'] },
  { id: 'LAMBDA-001', rule: 'reserved concurrency set', checkov: ['CKV_AWS_115'] },
];
