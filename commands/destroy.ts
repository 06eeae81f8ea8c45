/**
 * `npm run destroy -- --env <env> [--stack <name>]... [--yes] [--dry-run] [--if-deployed]`:
 * tears down `<env>-runners` then `<env>-genesys`, never `<env>-archive`.
 * Exit codes: 0 done (or nothing to do), 2 refused or bad arguments, otherwise cdktf's code.
 */
import { parseArgs, UsageError } from '../lib/cli';
import { loadEnvironment } from '../lib/config';
import { planDestroy, renderCommand } from './teardown/destroy-plan';
import { runCommand, s3ObjectExists } from './teardown/io';
import { deployedStacks, stateLocations } from './teardown/state';

export const DESTROY_USAGE = `usage: npm run destroy -- --env <env> [options]
  --env <env>          environment to tear down (its runners, then its genesys stack)
  --stack <name>       only this stack (repeatable): <env>-runners or <env>-genesys; archive stacks are refused
  --yes                do not ask for confirmation (cdktf destroy --auto-approve)
  --dry-run            print the commands instead of running them
  --if-deployed        skip stacks that have no Terraform state (nothing was deployed)
  --base <env>         base of a pr-<n> environment (default LOADLAB_BASE_ENV or example)
  --created-at <iso>   LOADLAB_CREATED_AT of a pr-<n> environment (default: inherited)`;

export async function runDestroy(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs(argv, {
    env: { type: 'string' },
    stack: { type: 'string', multiple: true },
    yes: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'if-deployed': { type: 'boolean' },
    base: { type: 'string' },
    'created-at': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(DESTROY_USAGE);
    return 0;
  }
  if (!values.env) throw new UsageError('--env is required');
  const request = {
    env: values.env,
    stacks: values.stack,
    autoApprove: values.yes === true,
    baseEnv: values.base ?? process.env.LOADLAB_BASE_ENV,
    createdAt: values['created-at'],
  };
  // Refuse archive stacks and foreign names before loading anything.
  let plan = planDestroy(request);
  const env = loadEnvironment(plan.env, { baseName: request.baseEnv, nameFrom: '--env' });
  if (process.env.CI === 'true' && env.config.backend.type === 'local' && !values['dry-run']) {
    console.error(
      `error: ${env.sourceFile}: backend.type is "local", but this is CI: the state of ${plan.env} is not on this runner, so a destroy would find nothing.` +
        ` Give the environment an s3 backend (see docs/configuration.md).`,
    );
    return 2;
  }
  if (values['if-deployed']) {
    const locations = stateLocations(env, plan.stacks);
    console.error(`checking state: ${locations.map((l) => l.where).join(', ')}`);
    const region = env.config.backend.type === 's3' ? env.config.backend.region : env.config.aws.region;
    const deployed = await deployedStacks(env, plan.stacks, s3ObjectExists(region));
    plan = planDestroy({ ...request, deployedStacks: deployed });
    if (plan.skipped.length) console.error(`no state for ${plan.skipped.join(', ')}: nothing to destroy there`);
  }
  if (!plan.commands.length) {
    console.log(`nothing to destroy for ${plan.env}`);
    return 0;
  }
  for (const command of plan.commands) {
    if (values['dry-run']) {
      console.log(renderCommand(command));
      continue;
    }
    console.error(`destroying ${plan.stacks.join(' then ')} (cdktf reports progress per stack)`);
    console.error(`$ ${renderCommand(command)}`);
    const code = await runCommand(command);
    if (code !== 0) {
      console.error(
        `error: cdktf destroy exited with ${code}; the state is unchanged for stacks that did not finish. Re-run the same command.`,
      );
      return code;
    }
  }
  if (!values['dry-run']) console.error(`destroyed ${plan.stacks.join(', ')}; ${env.archiveOwner}-archive is untouched`);
  return 0;
}
