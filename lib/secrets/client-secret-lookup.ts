import { Construct } from 'constructs';
import { DataAwsSecretsmanagerSecret } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret';
import { DataAwsKmsAlias } from '@cdktf/provider-aws/lib/data-aws-kms-alias';
import type { IGrantable } from '../iam/policy';
import type { OAuthClientRef } from '../genesys-tenant/refs';

export interface ClientSecretLookupProps {
  /** The client, as the genesys stack names it (purpose, secret name, key alias). */
  readonly client: OAuthClientRef;
  /** AWS region of the secret (scopes kms:Decrypt to Secrets Manager there). */
  readonly region: string;
}

/**
 * An OAuth client's secret, found by name in the stack that reads it (data sources: metadata
 * only, never the value), so the reading stack holds the secret's ARN and grants but neither
 * the secret nor a reference into the creating stack's state.
 */
export class ClientSecretLookup extends Construct {
  private readonly secret: DataAwsSecretsmanagerSecret;
  private readonly keyArn: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ClientSecretLookupProps,
  ) {
    super(scope, id);
    this.secret = new DataAwsSecretsmanagerSecret(this, 'secret', { name: props.client.secretName });
    this.keyArn = new DataAwsKmsAlias(this, 'key', { name: props.client.secretsKeyAlias }).targetKeyArn;
  }

  get arn(): string {
    return this.secret.arn;
  }

  /** Lets a role read this one secret (and decrypt it with its key, through Secrets Manager only). */
  grantRead(grantee: IGrantable): void {
    const id = this.node.id.replace(/[^A-Za-z0-9]/g, '');
    grantee.addToPolicy({ sid: `Read${id}Secret`, actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.arn] });
    grantee.addToPolicy({
      sid: `Decrypt${id}Secret`,
      actions: ['kms:Decrypt'],
      resources: [this.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.props.region}.amazonaws.com` } },
    });
  }
}
