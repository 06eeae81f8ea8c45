/**
 * node scripts/run-ts.mjs <entry.ts> [args...]
 *
 * Runs a TypeScript entry point (the cdktf app, npm run synth) without a TypeScript loader:
 * esbuild bundles the entry and the project files it imports into one CommonJS file (packages
 * stay external), and this process requires it. The bundle is rebuilt on every run (about 0.2 s),
 * so it can never be stale; it is named by its content hash, so concurrent runs never overwrite
 * a file another one is loading. Type-stripping module by module through a loader cost more.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, '.build', 'run-ts');

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const entry = path.resolve(entryArg);

// Bundled, every module would see the bundle's folder as __dirname: give each project file that
// uses __dirname or __filename its own (prepended on line 1, so source-map lines stay right).
const keepModulePaths = {
  name: 'keep-module-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
      const prelude = `const __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
      return { contents: prelude + text, loader: 'ts' };
    });
  },
};

const result = await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  target: `node${process.versions.node.split('.')[0]}`,
  format: 'cjs',
  packages: 'external',
  // A separate map, read only when LOADLAB_SOURCE_MAPS=1: with maps on, every stack trace cdktf
  // captures (one per token, hundreds per synth) is source-mapped, which cost about 0.4 s.
  sourcemap: 'external',
  sourcesContent: false,
  write: false,
  outfile: path.join(OUT_DIR, 'out.cjs'),
  plugins: [keepModulePaths],
  logLevel: 'error',
});
const output = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext)).contents;
const code = output('.cjs');
const name = `${path.basename(entry, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`;
const file = path.join(OUT_DIR, name);
mkdirSync(OUT_DIR, { recursive: true });
if (!existsSync(file)) {
  // Write beside, then rename: a concurrent run never requires a half-written file.
  const writeAtomic = (target, data) => {
    const partial = `${target}.${process.pid}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, target);
  };
  writeAtomic(`${file}.map`, output('.map'));
  writeAtomic(file, Buffer.concat([code, Buffer.from(`\n//# sourceMappingURL=${name}.map\n`)]));
  // Bundles of earlier code: drop those not used for an hour (a concurrent run may still load a recent one).
  for (const old of readdirSync(OUT_DIR)) {
    const p = path.join(OUT_DIR, old);
    try {
      if (!old.startsWith(name) && Date.now() - statSync(p).mtimeMs > 3600_000) rmSync(p, { force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}

if (process.env.LOADLAB_SOURCE_MAPS === '1') process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], entry, ...args];
createRequire(import.meta.url)(file);
