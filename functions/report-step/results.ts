/**
 * What the report step reads from S3: the shards' JTLs at exactly the shard contract's keys
 * (`results/<testId>/shards/<n>/shard-<n>.jtl`), the plan summary beside the plan, and what else
 * looks like results but is not read (reported, so a file uploaded under a wrong name is seen).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { testKey } from '../../lib/contracts/test-keys';
import { RESULT_FILE, targetFromTestPlanSummary, type ReportTarget, type ShardFiles, type ShardSource } from '../../loadtest/report';

/** The S3 calls the step makes; an S3Client fits, and tests pass a fake. */
export interface S3Like {
  send(command: ListObjectsV2Command | GetObjectCommand | PutObjectCommand): Promise<unknown>;
}

const PLAN_SUMMARY = /\/plan\/[^/]+\.summary\.json$/;
const SHARD_JTL = /\/shards\/(\d+)\/shard-(\d+)\.jtl$/;

export interface TestKeys {
  /** Contract keys, by shard index. */
  readonly shards: readonly { readonly index: number; readonly key: string }[];
  readonly summaries: readonly string[];
  readonly files: ShardFiles;
  /** Bytes of the contract keys read: what the shards wrote, for the actual cost. */
  readonly bytes: number;
}

async function listAll(s3: S3Like, bucket: string, prefix: string): Promise<{ key: string; size: number }[]> {
  const keys: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))) as {
      Contents?: { Key?: string; Size?: number }[];
      IsTruncated?: boolean;
      NextContinuationToken?: string;
    };
    for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Lists the test's keys and sorts them against the contract; `shards` (when known) is how many were started. */
export async function listTestKeys(s3: S3Like, bucket: string, prefix: string, testId: string, shards?: number): Promise<TestKeys> {
  const found: { index: number; key: string }[] = [];
  const unexpected: string[] = [];
  const summaries: string[] = [];
  let bytes = 0;
  for (const { key, size } of await listAll(s3, bucket, prefix)) {
    const m = SHARD_JTL.exec(key);
    const index = m ? Number(m[1]) : -1;
    const isContract = m !== null && key === testKey('shardJtl', { testId, shard: index }) && (shards === undefined || index < shards);
    if (isContract) {
      found.push({ index, key });
      bytes += size;
    } else if (PLAN_SUMMARY.test(key)) summaries.push(key);
    else if (RESULT_FILE.test(key)) unexpected.push(key);
  }
  found.sort((a, b) => a.index - b.index);
  const have = new Set(found.map((f) => f.index));
  const missing: string[] = [];
  for (let n = 0; n < (shards ?? 0); n++) if (!have.has(n)) missing.push(testKey('shardJtl', { testId, shard: n }));
  return { shards: found, summaries, files: { read: found.map((f) => f.key), missing, unexpected }, bytes };
}

/** The shard sources of the contract keys, each streamed from S3 when read. */
export function s3Sources(s3: S3Like, bucket: string, keys: TestKeys): ShardSource[] {
  return keys.shards.map(({ index, key }) => ({
    name: key,
    shard: `shard-${index}`,
    open: async () => {
      const object = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))) as { Body?: Readable | AsyncIterable<Uint8Array> };
      if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return object.Body;
    },
  }));
}

/** The planned rate from the one plan summary of the test; a missing or unreadable one is only a warning. */
export async function plannedTarget(
  s3: S3Like,
  bucket: string,
  summaries: readonly string[],
  warnings: string[],
): Promise<ReportTarget | undefined> {
  if (summaries.length !== 1) {
    if (summaries.length > 1) warnings.push(`${summaries.length} plan summaries under the test; the planned rate is not drawn`);
    return undefined;
  }
  const key = summaries[0];
  try {
    const object = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))) as { Body?: AsyncIterable<Uint8Array | string> };
    if (!object.Body) throw new Error('no body');
    let text = '';
    for await (const chunk of object.Body) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return targetFromTestPlanSummary(JSON.parse(text), key.split('/').pop()!);
  } catch (err) {
    warnings.push(`plan summary s3://${bucket}/${key} not used: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Warnings about the shard files: none uploaded, some missing, others not read. */
export function shardFileWarnings(bucket: string, prefix: string, files: ShardFiles, shards: number | undefined): string[] {
  const warnings: string[] = [];
  if (files.read.length === 0) warnings.push(`no result files under s3://${bucket}/${prefix}: no shard uploaded results`);
  else if (shards !== undefined && files.read.length < shards)
    warnings.push(`only ${files.read.length} of ${shards} shards uploaded results`);
  if (files.missing.length > 0 && files.read.length > 0) warnings.push(`missing shard results: ${files.missing.join(', ')}`);
  if (files.unexpected.length > 0)
    warnings.push(`not read (not a shard contract key, results/<testId>/shards/<n>/shard-<n>.jtl): ${files.unexpected.join(', ')}`);
  return warnings;
}
