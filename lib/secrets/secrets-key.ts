import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { accountRootArn, toResourcePolicyJson } from '../archive/resource-policy';
import { awsPartitionOf } from '../config/regions';

export interface SecretsKeyProps {
  /** `loadlab-<env>`: the alias is `alias/<prefix>-secrets`. */
  readonly resourcePrefix: string;
  readonly accountId: string;
  readonly region: string;
  readonly alias: string;
  /** Roles that read the secrets (the runner shards and workers). */
  readonly readerRoleArns: readonly string[];
  /** Roles that run Terraform on the environment (they refresh the secrets). */
  readonly terraformRoleArns: readonly string[];
}

/**
 * The KMS key of an environment's OAuth client secrets, apart from the archive's key: whoever
 * may decrypt recordings cannot decrypt client secrets, and the reverse. Its policy lets only
 * Secrets Manager use it for decryption, and only on behalf of the named readers and Terraform.
 */
export class SecretsKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: SecretsKeyProps) {
    super(scope, id);
    const partition = awsPartitionOf(props.region);
    this.key = new KmsKey(this, 'key', {
      description: `${props.resourcePrefix}: OAuth client secrets (Secrets Manager)`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: toResourcePolicyJson([
        // In a key policy, Resource "*" means this key. The root statement lets IAM policies grant its use.
        {
          sid: 'AccountRootAdministersKey',
          principal: { AWS: [accountRootArn(partition, props.accountId)] },
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          // Decryption only through Secrets Manager, and only for the secrets' readers and Terraform.
          sid: 'DecryptOnlyForNamedPrincipals',
          effect: 'Deny',
          principal: '*',
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: {
            ArnNotEquals: { 'aws:PrincipalArn': [...props.readerRoleArns, ...props.terraformRoleArns] },
          },
        },
        {
          sid: 'DecryptOnlyThroughSecretsManager',
          effect: 'Deny',
          principal: '*',
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
        },
      ]),
    });
    new KmsAlias(this, 'alias', { name: props.alias, targetKeyId: this.key.keyId });
  }

  get arn(): string {
    return this.key.arn;
  }
}
