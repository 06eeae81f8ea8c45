import { Construct } from 'constructs';
import { OauthClient, type OauthClientRoles } from '../../.gen/providers/genesyscloud/oauth-client';
import type { GenesysRole } from './role';

/** Token lifetimes Genesys Cloud accepts for non-SCIM clients. */
export const TOKEN_VALIDITY_RANGE_SEC = { min: 300, max: 172800 } as const;

export interface ClientCredentialsClientProps {
  /** Client name, unique in the org (prefix it with the environment). */
  readonly name: string;
  /** What the client is for, e.g. `runner-0`; becomes `OAuthClientRef.purpose`. */
  readonly purpose: string;
  readonly description: string;
  /** Divisions every granted role is bound to (home division id, or the environment's divisions). */
  readonly divisionIds: readonly string[];
  /** Lifetime of the tokens it issues, 300-172800 s. */
  readonly accessTokenValiditySec: number;
  /** Roles granted at creation; more with `grantRole`. */
  readonly roles?: readonly GenesysRole[];
}

/**
 * A CLIENT-CREDENTIALS `genesyscloud_oauth_client` whose secret is exposed as a sensitive,
 * create-time attribute (`expose_client_secret`), so the same stack can hand it to Secrets
 * Manager by reference (GenesysTenant). The secret then lives in that stack's state, which is
 * why state is KMS-encrypted and readable only by the deploy and main-plan roles.
 *
 * The OAuth client Terraform runs as must already hold every role granted here: with client
 * credentials the provider cannot assign them to itself (it only logs a warning).
 */
export class ClientCredentialsClient extends Construct {
  readonly resource: OauthClient;
  readonly purpose: string;
  private readonly divisionIds: readonly string[];
  private readonly grants: OauthClientRoles[] = [];
  private readonly granted: GenesysRole[] = [];

  constructor(scope: Construct, id: string, props: ClientCredentialsClientProps) {
    super(scope, id);
    const { min, max } = TOKEN_VALIDITY_RANGE_SEC;
    if (!Number.isInteger(props.accessTokenValiditySec) || props.accessTokenValiditySec < min || props.accessTokenValiditySec > max) {
      throw new Error(
        `OAuth client ${props.name}: accessTokenValiditySec must be an integer ${min}-${max} (got ${props.accessTokenValiditySec})`,
      );
    }
    if (props.divisionIds.length === 0) throw new Error(`OAuth client ${props.name}: divisionIds must name at least one division`);
    if (props.divisionIds.some((d) => d.includes('*'))) {
      throw new Error(`OAuth client ${props.name}: divisionIds must not contain "*" (all divisions); name the divisions`);
    }
    this.purpose = props.purpose;
    this.divisionIds = [...props.divisionIds];
    this.resource = new OauthClient(this, 'client', {
      name: props.name,
      description: props.description,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      accessTokenValiditySeconds: props.accessTokenValiditySec,
      state: 'active',
      exposeClientSecret: true,
    });
    for (const role of props.roles ?? []) this.grantRole(role);
  }

  /** Binds a role to the client in each of its divisions. */
  grantRole(role: GenesysRole): void {
    if (this.granted.includes(role)) return;
    this.granted.push(role);
    for (const divisionId of this.divisionIds) this.grants.push({ roleId: role.roleId, divisionId });
    this.resource.putRoles([...this.grants]);
  }

  /** The roles granted so far. */
  get roles(): readonly GenesysRole[] {
    return this.granted;
  }

  /** The client id (the resource id is the OAuth client id). */
  get clientId(): string {
    return this.resource.id;
  }

  /** Sensitive reference to the create-time secret; never a literal, never handed to another stack. */
  get clientSecret(): string {
    return this.resource.clientSecret;
  }
}
