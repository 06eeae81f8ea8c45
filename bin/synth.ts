/**
 * npm run synth [-- --env <env>]
 *
 * Checks the environment and the guards in this process, then runs `cdktf synth`. A bad
 * environment prints each problem once and exits 2; a plan the guards refuse exits 1. Run
 * through cdktf alone, the same errors would come back wrapped in cdktf's own report, twice.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs, runCli } from '../lib/cli';
import { loadSelectedEnvironment } from '../lib/config';
import { checkGuards, GUARD_EXIT_CODE, guardErrorLines } from '../lib/app/synth-check';

const USAGE = 'usage: npm run synth [-- --env <env>]';

const HELP = `${USAGE}

Synthesizes the environment's three stacks (<env>-archive, <env>-genesys, <env>-runners) into
cdktf.out/stacks/ (about 20 s for the example). Nothing is deployed; no credentials are needed.

  --env <env>   environments/<env>.json (default: LOADLAB_ENV, else example)
  --help        print this and exit

Exit codes: 0 synthesized; 1 the budget or async guards refuse the plan (one error line per
problem, nothing written); 2 bad arguments or a bad environment file (each problem once).`;

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<number> {
  const { values } = parseArgs(process.argv.slice(2), { env: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const env = loadSelectedEnvironment(values.env);
  const report = checkGuards(env);
  for (const warning of report.warnings) console.error(`warning: ${warning}`);
  if (report.errors.length) {
    for (const line of guardErrorLines(env, report)) console.error(line);
    return GUARD_EXIT_CODE;
  }
  const cdktf = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  const child = spawn(cdktf, ['synth'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, LOADLAB_ENV: env.name, LOADLAB_SYNTH_CHECKED: '1', CHECKPOINT_DISABLE: '1' },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

void runCli(main, { usage: USAGE });
