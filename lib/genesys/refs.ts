/** An OAuth client the genesys stack created, as Terraform references. */
export interface OAuthClientRef {
  /** What the client is for, e.g. `runner-0`, `metadata-worker`. */
  readonly purpose: string;
  readonly clientId: string;
  /** Sensitive: a reference to the provider's `client_secret` attribute, never a literal. */
  readonly clientSecret: string;
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
