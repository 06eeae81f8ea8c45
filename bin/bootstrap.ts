/**
 * `npm run bootstrap -- --env <env>`: the first deploy of an environment's Genesys stack.
 * 1. synthesizes the environment (as `cdktf synth`);
 * 2. creates only the stack's roles, as the Terraform client (terraform init, apply -target=…);
 * 3. with an admin's client-credentials client, adds those roles to the Terraform client;
 * then `npx cdktf deploy '*'` creates the rest. Safe to re-run. See docs/first-deploy.md.
 * Exit codes: 0 done, 1 an API or terraform step failed, 2 bad arguments, credentials or config.
 */
import { runCli } from '../lib/cli';
import { BOOTSTRAP_USAGE, BootstrapError, StepFailed, runBootstrap } from '../commands/bootstrap';

void runCli(() => runBootstrap(process.argv.slice(2)), {
  usage: BOOTSTRAP_USAGE,
  expected: [
    [BootstrapError, 1],
    [StepFailed, 1],
  ],
  exitWhenDone: true,
});
