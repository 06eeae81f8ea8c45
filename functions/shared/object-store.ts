import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where the workers write: the archive buckets in AWS, memory in tests and the benchmark. */
export interface ObjectStore {
  /**
   * Creates `key` only if nothing is there yet (S3 conditional write, `If-None-Match: *`).
   * `exists` means a duplicate: nothing was written.
   */
  putIfAbsent(key: string, body: string): Promise<'created' | 'exists'>;
  put(key: string, body: string): Promise<void>;
  /** The object's text, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Keys under a prefix (all pages). */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export interface S3ObjectStoreOptions {
  readonly bucket: string;
  /** The archive key: objects are written SSE-KMS with it (the bucket default too, but explicit wins). */
  readonly kmsKeyArn?: string;
}

const JSON_TYPE = 'application/json';

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string; Code?: string })?.name ?? (err as { Code?: string })?.Code;
}

/** An archive bucket through the AWS SDK v3 (client injectable, so tests fake `send`). */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    private readonly opts: S3ObjectStoreOptions,
  ) {}

  private encryption() {
    return this.opts.kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.opts.kmsKeyArn } : {};
  }

  async putIfAbsent(key: string, body: string): Promise<'created' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.opts.bucket,
          Key: key,
          Body: body,
          ContentType: JSON_TYPE,
          IfNoneMatch: '*',
          ...this.encryption(),
        }),
      );
      return 'created';
    } catch (err) {
      // 412: the object exists. 409: a concurrent conditional write to the same key won the race.
      const status = httpStatus(err);
      if (status === 412 || status === 409 || errorName(err) === 'PreconditionFailed') return 'exists';
      throw err;
    }
  }

  async put(key: string, body: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: body, ContentType: JSON_TYPE, ...this.encryption() }),
    );
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return res.Body ? await res.Body.transformToString() : '';
    } catch (err) {
      if (httpStatus(err) === 404 || errorName(err) === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
  }
}

/** An in-memory store with the same semantics (conditional create included), for tests and the benchmark. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, string>();
  /** Every successful write, in order (a duplicate conditional write is not one). */
  readonly writes: string[] = [];

  async putIfAbsent(key: string, body: string): Promise<'created' | 'exists'> {
    if (this.objects.has(key)) return 'exists';
    this.objects.set(key, body);
    this.writes.push(key);
    return 'created';
  }

  async put(key: string, body: string): Promise<void> {
    this.objects.set(key, body);
    this.writes.push(key);
  }

  async get(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
