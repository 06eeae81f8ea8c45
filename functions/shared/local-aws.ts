/**
 * In-memory stand-ins for the three AWS clients the workers use (S3, SQS, Secrets Manager), so a
 * worker's handler factory can run on a laptop against the simulator with no AWS account. They
 * answer the commands the workers send, with the semantics the workers rely on (conditional
 * create, 404 on a missing object, delayed sends). Real SDK clients pointed at LocalStack work too.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { MemoryQueues } from './memory-queue';

/** An error shaped like the SDK's service exceptions (name + HTTP status), which the workers inspect. */
function serviceError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

export interface LocalAwsOptions {
  /** Secret ARN -> value (objects are stored as JSON, like the OAuthClientSecret construct does). */
  readonly secrets?: Readonly<Record<string, unknown>>;
  /** Real ms per second of SQS delay (re-checks come back sooner when compressed). Default 1000. */
  readonly msPerDelaySecond?: number;
}

export class LocalAws {
  /** `bucket/key` -> body. */
  readonly objects = new Map<string, string>();
  /** What SendMessage delivered, per queue URL; `receive`/`settle` work as in MemoryQueues. */
  readonly queues: MemoryQueues;
  private readonly secretValues: Map<string, string>;

  constructor(opts: LocalAwsOptions = {}) {
    this.queues = new MemoryQueues({ msPerDelaySecond: opts.msPerDelaySecond });
    this.secretValues = new Map(Object.entries(opts.secrets ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }

  /** Objects of one bucket, by key. */
  bucket(name: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.objects) if (k.startsWith(`${name}/`)) out.set(k.slice(name.length + 1), v);
    return out;
  }

  readonly s3 = {
    send: async (cmd: unknown): Promise<unknown> => {
      if (cmd instanceof PutObjectCommand) {
        const id = `${cmd.input.Bucket}/${cmd.input.Key}`;
        if (cmd.input.IfNoneMatch === '*' && this.objects.has(id)) throw serviceError('PreconditionFailed', 412, `${id} exists`);
        this.objects.set(id, String(cmd.input.Body ?? ''));
        return {};
      }
      if (cmd instanceof GetObjectCommand) {
        const body = this.objects.get(`${cmd.input.Bucket}/${cmd.input.Key}`);
        if (body === undefined) throw serviceError('NoSuchKey', 404, `${cmd.input.Key} not found`);
        return { Body: { transformToString: async () => body } };
      }
      if (cmd instanceof ListObjectsV2Command) {
        const keys = [...this.bucket(cmd.input.Bucket ?? '').keys()].filter((k) => k.startsWith(cmd.input.Prefix ?? '')).sort();
        return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
      }
      if (cmd instanceof DeleteObjectCommand) {
        this.objects.delete(`${cmd.input.Bucket}/${cmd.input.Key}`);
        return {};
      }
      throw new Error(`LocalAws.s3: ${(cmd as object).constructor.name} is not supported`);
    },
  };

  readonly sqs = {
    send: async (cmd: unknown): Promise<unknown> => {
      if (!(cmd instanceof SendMessageCommand)) throw new Error(`LocalAws.sqs: ${(cmd as object).constructor.name} is not supported`);
      const attributes = Object.fromEntries(Object.entries(cmd.input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
      await this.queues.send(cmd.input.QueueUrl ?? '', cmd.input.MessageBody ?? '', { delaySeconds: cmd.input.DelaySeconds, attributes });
      return { MessageId: `local-${Date.now()}` };
    },
  };

  readonly secrets = {
    send: async (cmd: unknown): Promise<unknown> => {
      if (!(cmd instanceof GetSecretValueCommand))
        throw new Error(`LocalAws.secrets: ${(cmd as object).constructor.name} is not supported`);
      const value = this.secretValues.get(cmd.input.SecretId ?? '');
      if (value === undefined) throw serviceError('ResourceNotFoundException', 400, `secret ${cmd.input.SecretId} not found`);
      return { SecretString: value };
    },
  };
}
