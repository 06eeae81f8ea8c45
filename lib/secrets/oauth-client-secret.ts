import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import type { IGrantable } from '../iam/policy';
import type { OAuthClientRef } from '../genesys/refs';

export interface OAuthClientSecretProps {
  /** Secret name, e.g. `loadlab/example/runner-0`. */
  readonly secretName: string;
  readonly client: OAuthClientRef;
  /** KMS key the secret is encrypted with. */
  readonly kmsKeyArn: string;
  /** AWS region of the secret (scopes kms:Decrypt to Secrets Manager there). */
  readonly region: string;
  /** Days a deleted secret can be restored (7-30). Default 7: test environments come and go. */
  readonly recoveryWindowDays?: number;
}

/**
 * A Genesys OAuth client's credentials in Secrets Manager, as JSON `{ clientId, clientSecret }`.
 * The value is a Terraform reference to the genesys stack's output, so it never appears as a
 * literal in synthesized JSON (it does live in state, which is why state is KMS-encrypted).
 */
export class OAuthClientSecret extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: OAuthClientSecretProps,
  ) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.secretName,
      description: `Genesys Cloud OAuth client credentials (${props.client.purpose})`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays ?? 7,
    });
    new SecretsmanagerSecretVersion(this, 'value', {
      secretId: this.secret.id,
      secretString: JSON.stringify({ clientId: props.client.clientId, clientSecret: props.client.clientSecret }),
    });
  }

  get arn(): string {
    return this.secret.arn;
  }

  /** Lets a role read this one secret (and decrypt it with its key). */
  grantRead(grantee: IGrantable): void {
    grantee.addToPolicy({
      sid: `Read${this.node.id.replace(/[^A-Za-z0-9]/g, '')}Secret`,
      actions: ['secretsmanager:GetSecretValue'],
      resources: [this.secret.arn],
    });
    grantee.addToPolicy({
      sid: `Decrypt${this.node.id.replace(/[^A-Za-z0-9]/g, '')}Secret`,
      actions: ['kms:Decrypt'],
      resources: [this.props.kmsKeyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.props.region}.amazonaws.com` } },
    });
  }
}
