/**
 * An OAuth client the genesys stack created, as the stacks that use it find it: by name. Its id
 * and secret stay in the genesys stack (in Secrets Manager and that stack's state only); no
 * reference to them crosses into another stack.
 */
export interface OAuthClientRef {
  /** What the client is for, e.g. `runner-0`, `metadata-worker`. */
  readonly purpose: string;
  /** The Secrets Manager secret holding `{ clientId, clientSecret }` (`clientSecretName`). */
  readonly secretName: string;
  /** Alias of the key the secret is encrypted with (`secretsKeyAlias`). */
  readonly secretsKeyAlias: string;
}

/** What the runners stack needs from the genesys stack. */
export interface GenesysRefs {
  /** Genesys Cloud organization id (`data.genesyscloud_organizations_me`). */
  readonly orgId: string;
  /** `aws.partner/genesys.com/cloud/{orgId}/{suffix}`: the event bus name and its event source. */
  readonly partnerEventSourceName: string;
  /** One per runner shard across all scenarios: `runnerClients[plan.scenarios[i].firstClientIndex + shard]`. */
  readonly runnerClients: readonly OAuthClientRef[];
  readonly metadataWorkerClient: OAuthClientRef;
  readonly reportWorkerClient: OAuthClientRef;
  readonly eventBridgeIntegrationId: string;
  /** The suffix of the partner event source (`genesys.eventBridge.eventSourceSuffix`). */
  readonly eventSourceSuffix: string;
  /** Absent when `genesys.recordingExport.enabled` is false. */
  readonly recordingExportIntegrationId?: string;
  /** The least-privilege roles (`genesyscloud_auth_role` ids) the clients hold. */
  readonly roleIds: { readonly runner: string; readonly metadataWorker: string; readonly reportWorker: string };
}
