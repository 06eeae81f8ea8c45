/**
 * The local AWS stand-in of the entry script's end-to-end test: moto's server mode (S3 and Secrets
 * Manager) on a loopback port, from the pinned virtualenv scripts/install-aws-standin.sh lays out in
 * .cache/aws-venv, beside the AWS CLI the entry script calls. Started and stopped by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const AWS_VENV = path.resolve(__dirname, '..', '..', '.cache', 'aws-venv');
export const AWS_STANDIN_BIN = path.join(AWS_VENV, 'bin');
export const REGION = 'us-east-1';

/** Why the stand-in cannot run here, or undefined. */
export function awsStandinProblem(): string | undefined {
  for (const tool of ['moto_server', 'aws'])
    if (!existsSync(path.join(AWS_STANDIN_BIN, tool))) return `${tool} not in ${AWS_STANDIN_BIN}: run bash scripts/install-aws-standin.sh`;
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AwsStandin {
  readonly endpoint: string;
  readonly s3: S3Client;
  readonly secrets: SecretsManagerClient;
  /** What the AWS CLI needs to talk to the stand-in (fake credentials, path-style S3). */
  readonly cliEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startAwsStandin(scratch: string): Promise<AwsStandin> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(path.join(AWS_STANDIN_BIN, 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  // Bounded: moto answers within a few seconds (longer on a busy machine).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const credentials = { accessKeyId: 'standin', secretAccessKey: 'standin' };
  const config = path.join(scratch, 'aws-config');
  writeFileSync(config, '[default]\ns3 =\n  addressing_style = path\n');
  return {
    endpoint,
    s3: new S3Client({ region: REGION, endpoint, credentials, forcePathStyle: true }),
    secrets: new SecretsManagerClient({ region: REGION, endpoint, credentials }),
    cliEnv: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
