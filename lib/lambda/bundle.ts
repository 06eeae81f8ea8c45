import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BUNDLE_TARGET } from './runtime';

const cache = new Map<string, string>();

/**
 * Bundles a TypeScript Lambda handler and its imports, the AWS SDK v3 clients included, into one
 * `index.js` with esbuild at synth time. The SDK is bundled rather than taken from the runtime so
 * the function runs the version package-lock.json pins and the tests exercise, not whatever the
 * runtime happens to ship that week. Returns the folder to hand to a TerraformAsset. Bundles are
 * cached per process and entry.
 */
export function bundleHandler(entry: string): string {
  const key = `${entry}:${statSync(entry).mtimeMs}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const outdir = path.join(tmpdir(), 'genesys-loadlab-lambda', createHash('sha256').update(entry).digest('hex').slice(0, 16));
  mkdirSync(outdir, { recursive: true });
  const result = buildSync({
    entryPoints: [entry],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    // The SDK's ES module builds let esbuild drop the commands a handler never sends.
    mainFields: ['module', 'main'],
    format: 'cjs',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    // Optional native signer the SDK tries (inside try/catch) only for SigV4a requests, which we never send.
    external: ['@aws-sdk/signature-v4-crt'],
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling ${entry} failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  cache.set(key, outdir);
  return outdir;
}
