import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const cache = new Map<string, string>();

/**
 * Bundles a TypeScript Lambda handler and its imports into one `index.js` with esbuild, at synth
 * time (tens of milliseconds). The AWS SDK v3 stays external: the Node.js 20 runtime ships it.
 * Returns the folder to hand to a TerraformAsset. Bundles are cached per process and entry.
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
    target: 'node20',
    format: 'cjs',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`bundling ${entry} failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  cache.set(key, outdir);
  return outdir;
}
