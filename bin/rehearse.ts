/**
 * `npm run rehearse -- --env <env> --scenario <name> [--seconds S] [--naive | --planned] [--minute-ms M] [--url URL] [--jmeter [--duration-sec N]]`
 * Replays scenarios against the Genesys Cloud simulator; the logic is commands/rehearse.ts. See docs/simulator.md.
 */
import { runCli } from '../lib/cli';
import { REHEARSE_USAGE, runRehearse } from '../commands/rehearse';

// Exit 1 on any failure, bad arguments included; exit at once, so no open socket holds the result back.
void runCli(() => runRehearse(process.argv.slice(2)), { usage: REHEARSE_USAGE, usageErrorCode: 1, configErrorCode: 1, exitWhenDone: true });
