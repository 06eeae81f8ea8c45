import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  createGenesysClient,
  GenesysApiError,
  TokenRequestError,
  type GenesysApiClient,
  type ResponseInfo,
  type TokenThrottleInfo,
} from '../../lib/genesys-client';
import { lambdaEnvValue, SQS_WORKER_ENV, type EnvSource } from '../../lib/contracts/lambda-env';

/** Environment variables the pipeline construct sets on both workers. */
export interface WorkerSettings {
  readonly apiBase: string;
  readonly loginBase: string;
  readonly secretArn: string;
  /** This invocation's share of the budget (the planner's requestsPerMinutePerInvocation). */
  readonly ratePerMinute: number;
}

/** Reads and checks a worker's settings through the contract, naming the variable that is wrong. */
export function workerSettings(env: EnvSource = process.env): WorkerSettings {
  return {
    ratePerMinute: lambdaEnvValue(SQS_WORKER_ENV, 'RATE_PER_MINUTE', env),
    apiBase: lambdaEnvValue(SQS_WORKER_ENV, 'GENESYS_API_BASE', env),
    loginBase: lambdaEnvValue(SQS_WORKER_ENV, 'GENESYS_LOGIN_BASE', env),
    secretArn: lambdaEnvValue(SQS_WORKER_ENV, 'CLIENT_SECRET_ARN', env),
  };
}

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Parses the `{ clientId, clientSecret }` JSON the OAuthClientSecret construct stores. Never echoes the value. */
export function parseCredentials(secretString: string | undefined, secretArn: string): ClientCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new Error(`secret ${secretArn} is not JSON; expected {"clientId","clientSecret"}`);
  }
  const p = parsed as Partial<ClientCredentials>;
  if (typeof p?.clientId !== 'string' || !p.clientId || typeof p.clientSecret !== 'string' || !p.clientSecret) {
    throw new Error(`secret ${secretArn} lacks clientId or clientSecret; expected {"clientId","clientSecret"}`);
  }
  return { clientId: p.clientId, clientSecret: p.clientSecret };
}

export async function readCredentials(sm: Pick<SecretsManagerClient, 'send'>, secretArn: string): Promise<ClientCredentials> {
  const res = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
  return parseCredentials(res.SecretString, secretArn);
}

/** What an invocation hears of its client: every API attempt, and each token request the token-creation limit refused. */
export interface ClientListener {
  readonly onResponse: (info: ResponseInfo) => void;
  readonly onTokenThrottled?: (info: TokenThrottleInfo) => void;
}

/**
 * One paced client per Lambda execution environment, kept across invocations: the OAuth token is
 * reused until shortly before it expires and the token bucket keeps its pacing between batches.
 * The listener forwards to whichever invocation is running, so metrics stay per invocation. Many
 * cold starts at once request many tokens: the token provider backs off when the token-creation
 * limit refuses them (HTTP 400 "rate limit exceeded", or 429), and the invocation counts it.
 */
export class WorkerClientCache {
  private client?: Promise<GenesysApiClient>;
  private listener?: ClientListener;

  constructor(
    private readonly settings: () => WorkerSettings,
    private readonly credentials: (secretArn: string) => Promise<ClientCredentials>,
  ) {}

  get(listener: ClientListener): Promise<GenesysApiClient> {
    this.listener = listener;
    if (!this.client) {
      const s = this.settings();
      this.client = this.credentials(s.secretArn).then((c) =>
        createGenesysClient({
          apiBase: s.apiBase,
          loginBase: s.loginBase,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
          ratePerMinute: s.ratePerMinute,
          onResponse: (info) => this.listener?.onResponse(info),
          onTokenThrottled: (info) => this.listener?.onTokenThrottled?.(info),
        }),
      );
      // A failed secret read must not poison the cache for the next invocation.
      this.client.catch(() => {
        this.client = undefined;
      });
    }
    return this.client;
  }
}

/** One line for logs and dead-letter reasons; Genesys errors already say method, path and status. */
export function describeError(err: unknown): string {
  if (err instanceof GenesysApiError || err instanceof TokenRequestError) return err.message;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
