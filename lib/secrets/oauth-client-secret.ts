import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { accountRootArn, toResourcePolicyJson } from '../archive/resource-policy';
import { awsPartitionOf } from '../config/regions';

export interface OAuthClientSecretProps {
  /** Secret name, e.g. `loadlab/example/runner-0` (`clientSecretName`). */
  readonly secretName: string;
  /** What the client is for, e.g. `runner-0`. */
  readonly purpose: string;
  /** References to the OAuth client's id and create-time secret, in the same stack. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The environment's secrets key (never the archive's). */
  readonly kmsKeyArn: string;
  readonly accountId: string;
  readonly region: string;
  /** The one role that reads this secret at run time (a shard's task role or a worker's). */
  readonly readerRoleArn: string;
  /** Roles that run Terraform on the environment: a plan refreshes the secret's value. */
  readonly terraformRoleArns: readonly string[];
  /** Days a deleted secret can be restored (7-30). Default 7: test environments come and go. */
  readonly recoveryWindowDays?: number;
}

/**
 * A Genesys OAuth client's credentials in Secrets Manager, as JSON `{ clientId, clientSecret }`,
 * written by the stack that creates the client: the secret's value then lives in that stack's
 * state only. Its resource policy names its reader and denies the value to everyone else but
 * Terraform's roles.
 */
export class OAuthClientSecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: OAuthClientSecretProps) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.secretName,
      description: `Genesys Cloud OAuth client credentials (${props.purpose})`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays ?? 7,
    });
    new SecretsmanagerSecretVersion(this, 'value', {
      secretId: this.secret.id,
      secretString: JSON.stringify({ clientId: props.clientId, clientSecret: props.clientSecret }),
    });
    const root = accountRootArn(awsPartitionOf(props.region), props.accountId);
    new SecretsmanagerSecretPolicy(this, 'policy', {
      secretArn: this.secret.arn,
      // Blocks a policy that would make the secret public (Secrets Manager's own check).
      blockPublicPolicy: true,
      policy: toResourcePolicyJson([
        {
          // Identity policies in this account may grant the value to the reader only.
          sid: 'ReaderGetsValue',
          principal: { AWS: [root] },
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: { ArnEquals: { 'aws:PrincipalArn': props.readerRoleArn } },
        },
        {
          sid: 'NoOneElseGetsValue',
          effect: 'Deny',
          principal: '*',
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': [props.readerRoleArn, ...props.terraformRoleArns] } },
        },
      ]),
    });
  }

  get arn(): string {
    return this.secret.arn;
  }
}
