import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import type { IGrantable, PolicyStatement } from '../iam/policy';
import { grantKeyEncryptDecrypt } from './grants';
import { keyProtectionStatements } from './protection';
import { accountRootArn, toResourcePolicyJson, type ResourcePolicyStatement } from './resource-policy';

/** Actions a key policy may give a principal other than the account root. */
export type KeyUseAction = 'kms:Encrypt' | 'kms:Decrypt' | 'kms:GenerateDataKey' | 'kms:DescribeKey';
const KEY_USE_ACTIONS: readonly string[] = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** A principal the key policy names directly (besides the account root). */
export interface KeyUser {
  /** Statement id: letters and digits. */
  readonly sid: string;
  readonly principalArn: string;
  readonly actions: readonly KeyUseAction[];
  readonly conditions?: PolicyStatement['conditions'];
}

export interface ArchiveKeyProps {
  /** `alias/<name>`; other environments find the key by it. */
  readonly aliasName: string;
  readonly description: string;
  /** The account that owns the key; its root administers it so IAM policies can grant its use. */
  readonly accountId: string;
  /** AWS partition of the account (`aws`, `aws-us-gov`, `aws-cn`). Default `aws`. */
  readonly partition?: string;
  /** Days a scheduled deletion can still be cancelled (7-30). Default 30, the longest: this key guards the archive. */
  readonly deletionWindowDays?: number;
  /** The one role excepted from the key's denies (deletion, disabling, policy changes, decryption). Default: none. */
  readonly breakGlassRoleArn?: string;
  /**
   * Principal ARN patterns that may decrypt (`kms:Decrypt`, `kms:ReEncryptFrom`), whatever IAM
   * policies say. Users added with kms:Decrypt are added too. Default: none besides those.
   */
  readonly decryptors?: readonly string[];
}

/**
 * The archive's customer-managed key: rotated yearly, found by alias, never destroyed by
 * Terraform (`prevent_destroy`). Its policy lets the account root administer it — which is what
 * allows IAM policies in other stacks to grant its use — and names the few roles that use it
 * directly (`addUser`); nobody but the root gets `kms:*`. Denies (lib/archive/protection.ts)
 * keep everyone but the break-glass role from scheduling its deletion, disabling it or changing
 * its policy, and everyone but `decryptors` from decrypting with it.
 */
export class ArchiveKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  private readonly users: KeyUser[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ArchiveKeyProps,
  ) {
    super(scope, id);
    if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(props.aliasName) || props.aliasName.startsWith('alias/aws/')) {
      throw new Error(
        `aliasName must be alias/<letters, digits, /, _ or -> and not under alias/aws/ (got ${JSON.stringify(props.aliasName)})`,
      );
    }
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    if (!Number.isInteger(deletionWindowDays) || deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new Error(`deletionWindowDays must be an integer from 7 to 30 (got ${deletionWindowDays})`);
    }
    const root = accountRootArn(props.partition ?? 'aws', props.accountId);
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: deletionWindowDays,
      // Users are added after construction (the export role needs the key's ARN first).
      policy: Lazy.stringValue({
        produce: () =>
          toResourcePolicyJson([
            {
              // In a key policy, Resource "*" means this key. The root statement is what lets IAM
              // policies (the runners' task and worker roles) grant use of the key.
              sid: 'AccountRootAdministersKey',
              principal: { AWS: [root] },
              actions: ['kms:*'],
              resources: ['*'],
            },
            ...this.users.map((u): ResourcePolicyStatement => ({
              sid: u.sid,
              principal: { AWS: [u.principalArn] },
              actions: u.actions,
              resources: ['*'],
              conditions: u.conditions,
            })),
            ...keyProtectionStatements({ breakGlassRoleArn: props.breakGlassRoleArn, decryptors: this.decryptors() }),
          ]),
      }),
      // The policy denies kms:PutKeyPolicy to every principal but break-glass, the deploy role
      // included, which KMS's lockout check would refuse: the lockout is the point here.
      bypassPolicyLockoutSafetyCheck: true,
      lifecycle: { preventDestroy: true },
    });
    this.alias = new KmsAlias(this, 'alias', { name: props.aliasName, targetKeyId: this.key.keyId });
  }

  get keyArn(): string {
    return this.key.arn;
  }

  get aliasName(): string {
    return this.alias.name;
  }

  /** Names a principal in the key policy with the few use actions it needs (never administration). */
  addUser(user: KeyUser): void {
    const bad = user.actions.filter((a) => !KEY_USE_ACTIONS.includes(a));
    if (bad.length > 0) {
      throw new Error(`key user ${user.sid}: actions ${bad.join(', ')} are not allowed; use ${KEY_USE_ACTIONS.join(', ')}`);
    }
    if (!/^[A-Za-z0-9]+$/.test(user.sid) || user.sid === 'AccountRootAdministersKey' || this.users.some((u) => u.sid === user.sid)) {
      throw new Error(`key user sid must be unique letters and digits (got ${JSON.stringify(user.sid)})`);
    }
    this.users.push(user);
  }

  private decryptors(): string[] {
    const users = this.users.filter((u) => u.actions.includes('kms:Decrypt')).map((u) => u.principalArn);
    return [...new Set([...(this.props.decryptors ?? []), ...users])];
  }

  /** Lets a role encrypt and decrypt with this key directly (through an IAM policy on the role). */
  grantEncryptDecrypt(grantee: IGrantable): void {
    grantKeyEncryptDecrypt(grantee, this.keyArn, 'ArchiveKey');
  }
}
