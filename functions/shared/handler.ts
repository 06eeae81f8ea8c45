/**
 * The Lambda entry both SQS workers share: AWS clients and the paced Genesys client live as long
 * as the execution environment (the OAuth token and the token bucket carry over between
 * invocations), the queue settings come from the variables the EventPipeline construct sets, and
 * each invocation writes its own metrics line, even when it fails.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { GenesysApiClient } from '../../lib/genesys-client';
import {
  LAMBDA_RUNTIME_ENV,
  lambdaEnvValue,
  SQS_WORKER_ENV,
  type EnvSource,
  type METADATA_WORKER_ENV,
  type REPORT_JOBS_ENV,
} from '../../lib/contracts/lambda-env';
import { readCredentials, workerSettings, WorkerClientCache } from './genesys';
import { InvocationMetrics } from './metrics';
import { S3ObjectStore } from './object-store';
import { SqsMessageSender, type LambdaContextLike, type SqsBatchResponse, type SqsEvent, type SqsRecord } from './sqs';

/** What a worker is handed each invocation. */
export interface SqsWorkerWiring {
  readonly api: GenesysApiClient;
  /** The bucket named by `bucketVariable`, encrypted with ARCHIVE_KMS_KEY_ARN when set. */
  readonly store: S3ObjectStore;
  readonly sender: SqsMessageSender;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The queue's redrive maxReceiveCount (MAX_RECEIVE_COUNT, default 5). */
  readonly maxReceiveCount: number;
  readonly metrics: InvocationMetrics;
  readonly remainingMs: () => number;
}

/** The two workers' environments (lib/contracts/lambda-env.ts). */
export type SqsWorkerContract = typeof METADATA_WORKER_ENV | typeof REPORT_JOBS_ENV;

export interface SqsWorkerOptions<C extends SqsWorkerContract = SqsWorkerContract> {
  /** Function name in the metrics when the context has none. */
  readonly name: string;
  /** The worker's environment as declared; the bucket variable is one of its names. */
  readonly contract: C;
  /** The variable holding the bucket the worker writes to. */
  readonly bucketVariable: keyof C['vars'] & `${string}_BUCKET`;
  /** Metric counting the records of each invocation. */
  readonly recordsMetric: string;
  readonly process: (records: readonly SqsRecord[], wiring: SqsWorkerWiring) => Promise<SqsBatchResponse>;
  /** Tests and local runs pass their own (fakes, LocalAws, clients pointed at LocalStack); Lambda uses the real clients. */
  readonly aws?: {
    readonly s3?: Pick<S3Client, 'send'>;
    readonly sqs?: Pick<SQSClient, 'send'>;
    readonly secrets?: Pick<SecretsManagerClient, 'send'>;
  };
  readonly env?: EnvSource;
  readonly writeMetrics?: (line: string) => void;
}

/**
 * What a worker's handler factory takes, so the worker runs anywhere: against Genesys Cloud or
 * the simulator, with real AWS clients, LocalStack or `LocalAws` (functions/shared/local-aws.ts).
 * Everything left out comes from the Lambda environment, as deployed.
 */
export interface WorkerClients {
  /** Genesys Cloud or the simulator: replaces GENESYS_API_BASE (and GENESYS_LOGIN_BASE, default the same URL). */
  readonly genesys?: { readonly apiBase: string; readonly loginBase?: string };
  readonly s3?: Pick<S3Client, 'send'>;
  readonly sqs?: Pick<SQSClient, 'send'>;
  readonly secrets?: Pick<SecretsManagerClient, 'send'>;
  /** The variables the EventPipeline construct sets (lib/contracts/lambda-env.ts). Default process.env. */
  readonly env?: EnvSource;
  /** Where the metrics line goes. Default stdout (CloudWatch embedded metric format). */
  readonly writeMetrics?: (line: string) => void;
}

/** The options of `sqsWorkerHandler` for a factory's clients. */
export function workerOptions(clients: WorkerClients): Pick<SqsWorkerOptions, 'aws' | 'env' | 'writeMetrics'> {
  const env = clients.env ?? process.env;
  return {
    aws: { s3: clients.s3, sqs: clients.sqs, secrets: clients.secrets },
    env: clients.genesys
      ? { ...env, GENESYS_API_BASE: clients.genesys.apiBase, GENESYS_LOGIN_BASE: clients.genesys.loginBase ?? clients.genesys.apiBase }
      : env,
    writeMetrics: clients.writeMetrics,
  };
}

/** Call at module level, so the clients are built once per execution environment. */
export function sqsWorkerHandler<C extends SqsWorkerContract>(
  options: SqsWorkerOptions<C>,
): (event: SqsEvent, context: LambdaContextLike) => Promise<SqsBatchResponse> {
  const env = options.env ?? process.env;
  const s3 = options.aws?.s3 ?? new S3Client({});
  const sqs = options.aws?.sqs ?? new SQSClient({});
  const secrets = options.aws?.secrets ?? new SecretsManagerClient({});
  const clients = new WorkerClientCache(
    () => workerSettings(env),
    (arn) => readCredentials(secrets, arn),
  );
  return async (event, context) => {
    const metrics = new InvocationMetrics();
    const functionName = context.functionName ?? lambdaEnvValue(LAMBDA_RUNTIME_ENV, 'AWS_LAMBDA_FUNCTION_NAME', env) ?? options.name;
    try {
      const api = await clients.get(metrics);
      return await options.process(event.Records, {
        api,
        store: new S3ObjectStore(s3, {
          bucket: String(lambdaEnvValue(options.contract, options.bucketVariable, env)),
          kmsKeyArn: lambdaEnvValue(SQS_WORKER_ENV, 'ARCHIVE_KMS_KEY_ARN', env),
        }),
        sender: new SqsMessageSender(sqs),
        queueUrl: lambdaEnvValue(SQS_WORKER_ENV, 'QUEUE_URL', env),
        deadLetterQueueUrl: lambdaEnvValue(SQS_WORKER_ENV, 'DEAD_LETTER_QUEUE_URL', env),
        maxReceiveCount: lambdaEnvValue(SQS_WORKER_ENV, 'MAX_RECEIVE_COUNT', env),
        metrics,
        remainingMs: () => context.getRemainingTimeInMillis(),
      });
    } finally {
      metrics.count(options.recordsMetric, event.Records.length);
      metrics.flush(functionName, options.writeMetrics);
    }
  };
}
