/**
 * The archive part of the environment file (`archive`): lifecycle, Object Lock and who is excepted
 * from the archive's denies. Split from schema.ts to keep each file short.
 */
import { z } from 'zod';
import { ENV_NAME_PATTERN } from './env-name';
import { int } from './workload-schema';

const iamRoleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/, {
  message: 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/name',
});
/** Object Lock default retention of the recordings bucket: a year of recordings cannot be deleted. */
export const DEFAULT_OBJECT_LOCK_RETENTION_DAYS = 365;

export const archiveSchema = z
  .object({
    /** Use this environment's archive instead of creating one (ephemeral environments). */
    shareFrom: z.string().regex(ENV_NAME_PATTERN).optional(),
    transitionToInfrequentAccessDays: int(30, 3650).default(30),
    /** Days before objects move to coldStorageClass (GLACIER_IR unless set otherwise). */
    transitionToColdDays: int(60, 3650).default(180),
    /** The old name of transitionToColdDays: refused with the new name, never silently ignored. */
    transitionToGlacierDays: z
      .unknown()
      .refine((v) => v === undefined, {
        message: 'was renamed archive.transitionToColdDays (the class is archive.coldStorageClass, not always Glacier): rename the key',
      })
      .optional(),
    /** Days a replaced or deleted version is kept; at least objectLock.retentionDays. Default: for ever. */
    noncurrentVersionExpirationDays: int(1, 36500).optional(),
    /** S3 Object Lock on the recordings bucket (it cannot be switched off once on). Default on, GOVERNANCE, 365 days. */
    objectLock: z
      .object({
        enabled: z.boolean().default(true),
        mode: z.enum(['GOVERNANCE', 'COMPLIANCE']).default('GOVERNANCE'),
        retentionDays: int(1, 36500).default(DEFAULT_OBJECT_LOCK_RETENTION_DAYS),
      })
      .strict()
      .default({}),
    /** The one role excepted from the archive's bucket and key denies (docs/archive.md). Default: none. */
    breakGlassRoleArn: iamRoleArn.optional(),
    /** Roles of people or tools that may decrypt archived data besides the workload roles. Default: none. */
    readerRoleArns: z.array(iamRoleArn).default([]),
    /** Storage class after transitionToColdDays. Default GLACIER_IR: millisecond reads, no restore step. */
    coldStorageClass: z.enum(['GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE']).default('GLACIER_IR'),
    /** Days server access logs are kept. Default 365. */
    accessLogRetentionDays: int(1, 3650).default(365),
    /**
     * [UNCONFIRMED] extra actions for the Genesys export role, should exports fail without them:
     * `s3:PutObjectAcl` (a community policy lists it) and `kms:Decrypt` (multipart uploads to SSE-KMS). Default none.
     */
    exportRoleExtraActions: z.array(z.enum(['s3:PutObjectAcl', 'kms:Decrypt'])).default([]),
  })
  .strict()
  .default({});
