import { spawn } from 'node:child_process';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DestroyCommand } from './destroy';
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
      throw err;
    }
  };
}
