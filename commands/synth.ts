/**
 * npm run synth [-- --env <env>] [-- --output <dir>]
 *
 * Synthesizes the environment in this process, the way `cdktf synth` runs the app (cdktf.json's
 * context, the output folder, stale stack folders removed), without starting the cdktf CLI and a
 * second Node.js process: that cost more than the app itself. A bad environment prints each
 * problem once and exits 2; a plan the guards refuse exits 1.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { parseArgs } from '../lib/cli';
import { loadSelectedEnvironment } from '../lib/config';
import { synthesizeEnvironment } from '../app/synth-check';

export const SYNTH_USAGE = 'usage: npm run synth [-- --env <env>] [-- --output <dir>]';

const HELP = `${SYNTH_USAGE}

Synthesizes the environment's three stacks (<env>-archive, <env>-genesys, <env>-runners) into
cdktf.out/stacks/ (a few seconds for the example). Nothing is deployed; no credentials are needed.
The output is what \`cdktf synth\` writes; this command runs the app in its own process.

  --env <env>     environments/<env>.json (default: LOADLAB_ENV, else example)
  --output <dir>  where to write (default: cdktf.out, as cdktf synth)
  --help          print this and exit

Exit codes: 0 synthesized; 1 the budget or async guards refuse the plan (one error line per
problem, nothing written); 2 bad arguments or a bad environment file (each problem once).`;

const ROOT = path.resolve(__dirname, '..');

const stackDirs = (outdir: string): string[] => {
  try {
    return readdirSync(path.join(outdir, 'stacks'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
};

export function runSynth(argv: readonly string[]): number {
  const { values } = parseArgs(argv, {
    env: { type: 'string' },
    output: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const env = loadSelectedEnvironment(values.env);
  const outdir = path.resolve(values.output ?? path.join(ROOT, 'cdktf.out'));
  const before = stackDirs(outdir);
  // What the cdktf CLI hands the app: cdktf.json's context (no relative Terraform modules here).
  const cdktfJson = JSON.parse(readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ outdir, context: { ...cdktfJson.context, cdktfRelativeModules: [] } });
  const code = synthesizeEnvironment(env, app);
  if (code !== 0) return code;
  const stacks = Object.keys((JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: object }).stacks);
  // Folders of stacks this synth did not write (another environment's) go, as cdktf synth removes them.
  for (const stale of before.filter((d) => !stacks.includes(d)))
    rmSync(path.join(outdir, 'stacks', stale), { recursive: true, force: true });
  console.log(`Generated Terraform code for the stacks: ${stacks.join(', ')}`);
  return 0;
}
