/** Statements the CI roles share beyond Terraform's per-resource calls (terraform-actions.ts). */
import { CI_STACK_NAME } from '../config';
import type { PolicyStatement } from '../iam/policy';
import { GITHUB_OIDC_HOST } from './github-oidc';
import { UNSCOPED_DESTROYS, UNSCOPED_READS, type ActionScope } from './terraform-actions';

// Physical name parts (archiveNames): the analytics bucket's physical name says `reports`.
const ARCHIVE_BUCKET_KINDS = ['recordings', 'results', 'reports', 'access-logs'] as const;

/** Archive buckets of the scope's environments: `loadlab-<env>-<kind>-<account>`. */
const archiveBuckets = (s: ActionScope): string[] =>
  ARCHIVE_BUCKET_KINDS.flatMap((kind) => {
    const bucket = `arn:${s.partition}:s3:::loadlab-${s.envGlob}-${kind}-${s.accountId}`;
    return [bucket, `${bucket}/*`];
  });

/**
 * What a pr-* stack reads of its base environment's archive (data sources: the buckets, the key
 * alias, the export role), without reading any object.
 */
export const sharedArchiveLookups = (s: ActionScope): PolicyStatement[] => [
  {
    sid: 'LookUpArchiveBuckets',
    actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetBucketTagging', 's3:GetBucketPolicy'],
    resources: archiveBuckets({ ...s, envGlob: '*' }).filter((r) => !r.endsWith('/*')),
  },
  { sid: 'LookUpArchiveRoles', actions: ['iam:GetRole'], resources: [`arn:${s.partition}:iam::${s.accountId}:role/loadlab-*`] },
];

/** Reading OAuth client secrets, which a refresh of `<env>-genesys` does (its state holds them anyway). */
export const secretReads = (s: ActionScope): PolicyStatement[] => [
  {
    sid: 'RefreshClientSecrets',
    actions: ['secretsmanager:GetSecretValue'],
    resources: [`arn:${s.partition}:secretsmanager:${s.region}:${s.accountId}:secret:loadlab/${s.envGlob}/*`],
  },
  {
    sid: 'DecryptClientSecrets',
    actions: ['kms:Decrypt'],
    resources: [`arn:${s.partition}:kms:${s.region}:${s.accountId}:key/*`],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${s.region}.amazonaws.com` } },
  },
];

/** Every destructive call on archive buckets and keys, denied whatever else allows it. */
export const archiveProtection = (s: ActionScope): PolicyStatement[] => [
  {
    sid: 'DenyArchiveBucketDestruction',
    effect: 'Deny',
    actions: [
      's3:DeleteBucket',
      's3:DeleteBucketPolicy',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:PutBucketPolicy',
      's3:PutBucketVersioning',
      's3:PutLifecycleConfiguration',
      's3:PutBucketObjectLockConfiguration',
      's3:PutEncryptionConfiguration',
      's3:PutObjectRetention',
      's3:PutObjectLegalHold',
      's3:BypassGovernanceRetention',
    ],
    resources: archiveBuckets(s),
  },
  {
    sid: 'DenyArchiveKeyDestruction',
    effect: 'Deny',
    actions: [
      'kms:ScheduleKeyDeletion',
      'kms:DisableKey',
      'kms:DisableKeyRotation',
      'kms:PutKeyPolicy',
      'kms:DeleteAlias',
      'kms:UpdateAlias',
      'kms:DeleteImportedKeyMaterial',
      'kms:CreateGrant',
    ],
    resources: [`arn:${s.partition}:kms:${s.region}:${s.accountId}:key/*`],
    // Any key not tagged as a pr-* environment's (archive keys, untagged keys) is out of reach.
    conditions: { StringNotLike: { 'aws:ResourceTag/environment': 'pr-*' } },
  },
  {
    // Aliases carry no tags: the archive keys' aliases by name.
    sid: 'DenyArchiveAliasChanges',
    effect: 'Deny',
    actions: ['kms:DeleteAlias', 'kms:UpdateAlias'],
    resources: [`arn:${s.partition}:kms:${s.region}:${s.accountId}:alias/loadlab-*-archive`],
  },
];

/** The services the stacks use, each scoped to this account and region (IAM and S3 by name). */
const deployResources = (s: ActionScope): PolicyStatement[] => {
  const regional = ['kms', 'logs', 'cloudwatch', 'ecr', 'ecs', 'events', 'lambda', 'secretsmanager', 'sqs', 'states', 'ec2'];
  return [
    {
      sid: 'ManageRegionalResources',
      // The deploy role creates, changes and destroys every resource kind the stacks hold; the
      // boundary and the account-and-region scope cap it (lib/policy/exceptions.ts says why).
      actions: regional.map((svc) => `${svc}:*`),
      resources: regional.map((svc) => `arn:${s.partition}:${svc}:${s.region}:${s.accountId}:*`),
    },
    { sid: 'ManageRoles', actions: [...ROLE_ACTIONS], resources: [`arn:${s.partition}:iam::${s.accountId}:role/loadlab-*`] },
    { sid: 'ManageBuckets', actions: ['s3:*'], resources: [`arn:${s.partition}:s3:::loadlab-*`, `arn:${s.partition}:s3:::loadlab-*/*`] },
    {
      sid: 'CallsWithoutResourceType',
      actions: [...UNSCOPED_READS, ...UNSCOPED_DESTROYS, ...DEPLOY_UNSCOPED],
      resources: ['*'],
    },
  ];
};

/** What Terraform does to the stacks' service roles (inline policies only: no managed policy is attached). */
const ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
  'iam:PassRole',
] as const;

/** Creates that define no resource type. */
export const DEPLOY_UNSCOPED: readonly string[] = [
  'kms:CreateKey',
  'ecs:RegisterTaskDefinition',
  'lambda:CreateEventSourceMapping',
  'lambda:ListEventSourceMappings',
];

export const deployStatements = (s: ActionScope): PolicyStatement[] => deployResources(s);

/**
 * The deploy role's permissions boundary: the same services, minus the CI identities
 * themselves, IAM users and keys, and the organization; so a stack (or anything attached to
 * the role later) can never widen CI's own access.
 */
export const deployBoundaryStatements = (s: ActionScope): PolicyStatement[] => [
  ...deployResources(s),
  {
    sid: 'DenyChangingCiIdentities',
    effect: 'Deny',
    actions: ['iam:*'],
    resources: [
      `arn:${s.partition}:iam::${s.accountId}:role/${CI_STACK_NAME}-*`,
      `arn:${s.partition}:iam::${s.accountId}:policy/${CI_STACK_NAME}-*`,
      `arn:${s.partition}:iam::${s.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
    ],
  },
  {
    sid: 'DenyLongLivedCredentials',
    effect: 'Deny',
    actions: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:AttachUserPolicy', 'iam:PutUserPolicy'],
    resources: ['*'],
  },
  { sid: 'DenyOrganization', effect: 'Deny', actions: ['organizations:*', 'account:*'], resources: ['*'] },
];
