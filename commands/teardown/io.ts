import { spawn } from 'node:child_process';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DestroyCommand } from './destroy-plan';
import type { ObjectExists } from './state';

/** Runs one command with inherited output (so cdktf's progress shows); resolves to its exit code. */
export function runCommand(command: DestroyCommand): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command.command, [...command.args], { stdio: 'inherit', env: { ...process.env, ...command.env } });
    child.on('error', (err) => {
      console.error(`error: could not start ${command.command}: ${err.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * The AWS SDK's credential and access errors, rewritten to say what to do; other errors are
 * returned unchanged. `call` names the API call (e.g. `s3:HeadObject s3://bucket/key`).
 */
export function explainAwsError(err: unknown, call: string): unknown {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e?.name === 'CredentialsProviderError') {
    return new Error(
      `${call}: no AWS credentials found; set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the account, ` +
        `or run it from the workflows, which assume their role through OIDC`,
    );
  }
  if (e?.$metadata?.httpStatusCode === 403 || /AccessDenied|Forbidden/.test(e?.name ?? '')) {
    const fix = call.startsWith('s3:HeadObject')
      ? 'give the role s3:GetObject on the state objects and s3:ListBucket on the state bucket (without ListBucket, S3 answers 403 instead of 404 for a state that does not exist)'
      : 'give the role tag:GetResources (see "Required secrets and the OIDC role" in docs/workflows.md)';
    return new Error(`${call}: access denied (${e?.message || e?.name || 'HTTP 403'}); ${fix}`);
  }
  return err;
}

/** HeadObject-based existence check for S3 state objects (404 = absent; any other error is thrown). */
export function s3ObjectExists(region: string): ObjectExists {
  let s3: S3Client | undefined; // created on first use: local-backend environments never need it
  return async (bucket, key) => {
    s3 ??= new S3Client({ region });
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw explainAwsError(err, `s3:HeadObject s3://${bucket}/${key}`);
    }
  };
}
