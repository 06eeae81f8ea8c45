import { buildSync, version as esbuildVersion, type BuildOptions } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BUNDLE_TARGET } from './runtime';
import { zipSync } from './zip';

/**
 * esbuild's options for every handler; part of the cache key, so changing one rebuilds every bundle.
 * The AWS SDK v3 clients are bundled rather than taken from the runtime, so the function runs the
 * version package-lock.json pins and the tests exercise, not whatever the runtime ships that week.
 */
export const BUNDLE_OPTIONS = {
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
} as const satisfies BuildOptions;

/** A handler bundled into `dir/index.js` and zipped, ready for a Lambda function. */
export interface LambdaBundle {
  /** Folder holding `index.js`. */
  readonly dir: string;
  /** `dir/lambda.zip`, a deterministic zip of `index.js`: the same inputs always give the same bytes. */
  readonly zipFile: string;
  /** Base64 SHA-256 of the zip, the form Lambda reports as CodeSha256 (`source_code_hash`). */
  readonly zipSha256: string;
  /** The cache key: a hash of every input esbuild read, the options and esbuild's version. */
  readonly key: string;
  /** True when the bundle came from the cache, without running esbuild. */
  readonly cached: boolean;
  /** Every file esbuild read (absolute paths): what the function's code is made of. */
  readonly inputs: readonly string[];
}

interface Manifest {
  readonly inputs: string[];
  readonly key: string;
}

/** Where bundles are cached across synths; LOADLAB_BUNDLE_CACHE overrides (tests use a scratch folder). */
function cacheRoot(): string {
  return process.env.LOADLAB_BUNDLE_CACHE ?? path.join(tmpdir(), 'genesys-loadlab-lambda');
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Writes through a temporary name, so a concurrent synth never reads a half-written file. */
function writeAtomic(file: string, data: string | Buffer): void {
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

/**
 * The cache key of a bundle. It covers everything that can change the output:
 * - the content of every file esbuild read (from the last build's metafile),
 * - the names in every folder holding one (a new file may win module resolution, e.g. `x.ts`
 *   beside `x/index.ts`), and every package.json and tsconfig.json above one (entry points,
 *   `exports`, compiler options),
 * - esbuild's options and version.
 * Returns undefined when an input has gone: the bundle must be rebuilt.
 */
export function bundleKey(
  entry: string,
  inputs: readonly string[],
  options: BuildOptions = BUNDLE_OPTIONS,
  version = esbuildVersion,
): string | undefined {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ entry, options, version }));
  const dirs = new Set<string>();
  const configs = new Set<string>();
  for (const input of [...inputs].sort()) {
    if (!existsSync(input)) return undefined;
    hash.update(`\0file\0${input}\0${sha256(readFileSync(input))}`);
    dirs.add(path.dirname(input));
  }
  for (const dir of [...dirs].sort()) {
    hash.update(`\0dir\0${dir}\0${readdirSync(dir).sort().join('/')}`);
    for (let d = dir; ; d = path.dirname(d)) {
      for (const name of ['package.json', 'tsconfig.json']) configs.add(path.join(d, name));
      if (path.dirname(d) === d) break;
    }
  }
  for (const config of [...configs].sort()) {
    if (existsSync(config)) hash.update(`\0config\0${config}\0${sha256(readFileSync(config))}`);
  }
  return hash.digest('hex');
}

/**
 * Bundles a TypeScript Lambda handler and its imports into one `index.js` with esbuild and zips
 * it. Bundles are cached across synths by content (see `bundleKey`): an unchanged handler costs
 * hashing its inputs, not a build and a zip. The zip is handed to the TerraformAsset as a file, so
 * cdktf does not zip a folder (in a child process) on every synth.
 */
export function bundleHandler(entry: string): LambdaBundle {
  const entryDir = path.join(cacheRoot(), sha256(entry).slice(0, 16));
  return fromCache(entry, entryDir) ?? build(entry, entryDir);
}

/** The bundle of the last build of `entry`, if none of its inputs changed since. */
function fromCache(entry: string, entryDir: string): LambdaBundle | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(entryDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined; // Never built here, or an unreadable manifest: build.
  }
  const key = bundleKey(entry, manifest.inputs);
  if (key === undefined || key !== manifest.key) return undefined;
  const { dir, zipFile } = locations(entryDir, key);
  if (!existsSync(zipFile) || !existsSync(path.join(dir, 'index.js'))) return undefined;
  return { dir, zipFile, zipSha256: base64Sha256(readFileSync(zipFile)), key, cached: true, inputs: manifest.inputs };
}

function build(entry: string, entryDir: string): LambdaBundle {
  mkdirSync(entryDir, { recursive: true });
  const staging = path.join(entryDir, `build-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const result = buildSync({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      external: [...BUNDLE_OPTIONS.external],
      entryPoints: [entry],
      // Paths in the bundle's comments are relative to this: the same bytes from any working directory or checkout.
      absWorkingDir: path.dirname(entry),
      outfile: path.join(staging, 'index.js'),
      metafile: true,
      logLevel: 'silent',
    });
    if (result.errors.length > 0) {
      throw new Error(`bundling ${entry} failed: ${result.errors.map((e) => e.text).join('; ')}`);
    }
    // The metafile names inputs relative to absWorkingDir.
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(path.dirname(entry), p));
    const key = bundleKey(entry, inputs);
    if (key === undefined) throw new Error(`bundling ${entry}: an input disappeared during the build; run synth again`);
    const { dir, zipFile } = locations(entryDir, key);
    const code = readFileSync(path.join(staging, 'index.js'));
    const zip = zipSync([{ name: 'index.js', data: code }]);
    mkdirSync(dir, { recursive: true });
    writeAtomic(path.join(dir, 'index.js'), code);
    writeAtomic(zipFile, zip);
    writeAtomic(path.join(entryDir, 'manifest.json'), JSON.stringify({ inputs, key } satisfies Manifest));
    return { dir, zipFile, zipSha256: base64Sha256(zip), key, cached: false, inputs };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Content-addressed places: a concurrent synth of other code never overwrites them. */
function locations(entryDir: string, key: string): { dir: string; zipFile: string } {
  const dir = path.join(entryDir, key.slice(0, 32));
  return { dir, zipFile: path.join(dir, 'lambda.zip') };
}

const base64Sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');
