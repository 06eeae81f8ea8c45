import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { stateKey, type Environment } from '../../lib/config';

/**
 * Which of an environment's stacks have Terraform state, so a teardown of something never
 * deployed (a PR closed without a deploy) is a quiet no-op instead of a failed destroy.
 */

/** The one S3 call needed; satisfied by `S3Client` from @aws-sdk/client-s3 via `headObjectExists`. */
export type ObjectExists = (bucket: string, key: string) => Promise<boolean>;

export interface StateLocation {
  readonly stack: string;
  /** `s3://bucket/key` or a local path, for messages. */
  readonly where: string;
}

/** Where each stack's state lives (mirrors `configureBackend` in stacks/loadlab-stack.ts). */
export function stateLocations(env: Environment, stacks: readonly string[], outDir = 'cdktf.out'): StateLocation[] {
  const backend = env.config.backend;
  return stacks.map((stack) => ({
    stack,
    where:
      backend.type === 's3'
        ? `s3://${backend.bucket}/${stateKey(env, stack)}`
        : // The local backend's path is relative to the stack's working directory.
          path.join(outDir, 'stacks', stack, stateKey(env, stack)),
  }));
}

/** The stacks among `stacks` that have a state object or file. */
export async function deployedStacks(
  env: Environment,
  stacks: readonly string[],
  exists: ObjectExists,
  outDir?: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const loc of stateLocations(env, stacks, outDir)) {
    const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(loc.where);
    if (s3 ? await exists(s3[1], s3[2]) : existsSync(loc.where)) found.push(loc.stack);
  }
  return found;
}
