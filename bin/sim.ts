/**
 * `npm run sim -- [--port N] [--minute-ms M] [--faults ...] [--client id:secret ...] [--env <env>]`
 * Serves the Genesys Cloud simulator on 127.0.0.1 until Ctrl-C. See docs/simulator.md.
 */
import { runCli } from '../lib/cli';
import { SIM_USAGE, runSim } from '../commands/sim';

// Exit 1 on any failure, bad arguments included; on success the server keeps the process alive.
void runCli(() => runSim(process.argv.slice(2)), { usage: SIM_USAGE, usageErrorCode: 1, configErrorCode: 1, exitWhenDone: true });
