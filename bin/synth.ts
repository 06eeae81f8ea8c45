/**
 * npm run synth [-- --env <env>] [-- --output <dir>]
 *
 * Synthesizes the environment in this process, the way `cdktf synth` runs the app (cdktf.json's
 * context, the output folder, stale stack folders removed), without starting the cdktf CLI and a
 * second Node.js process: that cost more than the app itself. A bad environment prints each
 * problem once and exits 2; a plan the guards refuse exits 1.
 */
import { runCli } from '../lib/cli';
import { SYNTH_USAGE, runSynth } from '../commands/synth';

void runCli(() => runSynth(process.argv.slice(2)), { usage: SYNTH_USAGE });
