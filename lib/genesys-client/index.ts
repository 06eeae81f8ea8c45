/**
 * The one paced Genesys Cloud Platform API client shared by the metadata worker, the report
 * jobs, the simulator's rehearsal and the CLIs. Pure Node 20 (global fetch), no AWS imports.
 */
export * from './token-bucket';
export * from './token-provider';
export * from './api-client';
export * from './errors';
export { parseRetryAfter, rateLimitInfo, retryAfterMs, type RateLimitInfo, type RetryAfter } from './http';

import { GenesysApiClient, type GenesysApiClientOptions } from './api-client';
import { TokenBucket } from './token-bucket';
import { ClientCredentialsTokenProvider, type ClientCredentialsTokenProviderOptions } from './token-provider';

export interface CreateClientOptions extends Omit<GenesysApiClientOptions, 'tokens' | 'bucket'> {
  readonly loginBase: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Pacing of this client's token, in requests per minute (e.g. the planner's per-token or per-invocation rate). */
  readonly ratePerMinute: number;
  readonly burst?: number;
  readonly refreshBeforeExpirySec?: number;
  /** Hears each token request the token-creation limit refused (the provider backs off and retries). */
  readonly onTokenThrottled?: ClientCredentialsTokenProviderOptions['onThrottled'];
  /** Backoff of refused token requests (see ClientCredentialsTokenProviderOptions.backoff). */
  readonly tokenBackoff?: ClientCredentialsTokenProviderOptions['backoff'];
}

/** One token provider, one bucket and one client wired together (the common case). */
export function createGenesysClient(opts: CreateClientOptions): GenesysApiClient {
  const { loginBase, clientId, clientSecret, ratePerMinute, burst, refreshBeforeExpirySec, onTokenThrottled, tokenBackoff, ...rest } = opts;
  const tokens = new ClientCredentialsTokenProvider({
    loginBase,
    clientId,
    clientSecret,
    refreshBeforeExpirySec,
    onThrottled: onTokenThrottled,
    backoff: tokenBackoff,
    random: rest.random,
    fetch: rest.fetch,
    now: rest.now,
    sleep: rest.sleep,
  });
  const bucket = new TokenBucket({ ratePerMinute, burst, now: rest.now, sleep: rest.sleep });
  return new GenesysApiClient({ ...rest, tokens, bucket });
}
