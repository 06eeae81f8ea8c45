/**
 * `npm run bootstrap -- --env <env>`: the first deploy of an environment's Genesys stack.
 * 1. synthesizes the environment (as `cdktf synth`);
 * 2. creates only the stack's roles, as the Terraform client (terraform init, apply -target=…);
 * 3. with an admin's client-credentials client, adds those roles to the Terraform client;
 * then `npx cdktf deploy '*'` creates the rest. Safe to re-run. See docs/first-deploy.md.
 * Exit codes: 0 done, 1 an API or terraform step failed, 2 bad arguments, credentials or config.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from '../lib/config';
import { genesysUrlsFromFlags, parseArgs, runCli } from '../lib/cli';
import { createGenesysClient } from '../lib/genesys-client';
import { BootstrapError, grantRolesToClient, rolesApplyCommands, stackRoles, type Command } from '../commands/bootstrap';
import type { StackJson } from '../lib/policy/types';

const USAGE = `usage: npm run bootstrap -- --env <name> [--yes] [--skip-roles-apply] [--dry-run] [--api-base <url>] [--login-base <url>]
  --env <name>          the environment to bootstrap (environments/<name>.json, or a pr-* derived from its base)
  --yes                 apply the roles without asking (terraform apply -auto-approve)
  --skip-roles-apply    the roles exist already: only add them to the Terraform client
  --dry-run             print the terraform commands and the roles to grant; change nothing
  --api-base <url>      default https://api.<region domain> (point it at the simulator)
  --login-base <url>    default https://login.<region domain>
credentials:
  GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET   the client Terraform runs as (it creates the roles)
  GENESYSCLOUD_ADMIN_CLIENT_ID, GENESYSCLOUD_ADMIN_CLIENT_SECRET  an admin client-credentials client that holds every
      permission of the roles, plus oauth:client:view and :edit, authorization:role:view, authorization:division:view`;

class StepFailed extends Error {}

function run(cmd: Command, log: (line: string) => void): void {
  log(`$ ${cmd.command} ${cmd.args.join(' ')}`);
  const r = spawnSync(cmd.command, [...cmd.args], { stdio: 'inherit', env: process.env });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new StepFailed(
      code === 'ENOENT'
        ? `${cmd.command} is not on PATH; install Terraform 1.5+ (or run with --skip-roles-apply once the roles exist)`
        : r.error.message,
    );
  }
  if (r.status !== 0) throw new StepFailed(`${cmd.command} ${cmd.args[1]} exited with ${r.status ?? r.signal}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs(process.argv.slice(2), {
    env: { type: 'string' },
    yes: { type: 'boolean' },
    'skip-roles-apply': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'api-base': { type: 'string' },
    'login-base': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string): void => console.log(line);
  const name = values.env ?? selectedEnvironmentName();
  const env = loadEnvironment(name, { nameFrom: values.env !== undefined ? '--env' : 'LOADLAB_ENV' });
  const need = (vars: string[]): string[] => vars.filter((v) => !process.env[v]?.trim());
  // Terraform reads the client secret; the grant step only needs the client's id.
  const missingCreds = need([
    'GENESYSCLOUD_OAUTHCLIENT_ID',
    ...(values['skip-roles-apply'] ? [] : ['GENESYSCLOUD_OAUTHCLIENT_SECRET']),
    'GENESYSCLOUD_ADMIN_CLIENT_ID',
    'GENESYSCLOUD_ADMIN_CLIENT_SECRET',
  ]);
  if (missingCreds.length && !values['dry-run']) {
    throw new ConfigError(missingCreds.map((v) => `${v} is not set (see npm run bootstrap -- --help)`));
  }
  const { apiBase, loginBase } = genesysUrlsFromFlags(values, env.genesys);

  // 1. Synthesize exactly as `cdktf synth` does (cdktf.json's app), into cdktf.out.
  const stack = env.stackNames.genesys;
  log(`[1/3] synthesizing ${env.name}…`);
  const synth = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, LOADLAB_ENV: env.name, CHECKPOINT_DISABLE: '1' },
  });
  if (synth.status !== 0) return 2;
  const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  const stackDir = path.join(outdir, 'stacks', stack);
  const file = path.join(stackDir, 'cdk.tf.json');
  if (!existsSync(file)) throw new BootstrapError(`synthesis wrote no ${file}`);
  const roles = stackRoles(JSON.parse(readFileSync(file, 'utf8')) as StackJson);
  log(`      ${stack} creates ${roles.length} roles: ${roles.map((r) => r.name).join(', ')}`);

  // 2. Only the roles, as the Terraform client.
  const commands = rolesApplyCommands(stackDir, roles, values.yes === true);
  if (values['skip-roles-apply']) log('[2/3] --skip-roles-apply: the roles exist already');
  else if (values['dry-run']) {
    log('[2/3] would run:');
    for (const c of commands) log(`      ${c.command} ${c.args.join(' ')}`);
  } else {
    log(`[2/3] creating the roles as the Terraform client (${process.env.GENESYSCLOUD_OAUTHCLIENT_ID})…`);
    for (const c of commands) run(c, log);
  }

  // 3. The admin adds them to the Terraform client.
  const divisionIds = env.config.genesys.divisionIds;
  const divisions = divisionIds.length ? `divisions ${divisionIds.join(', ')}` : 'the home division';
  if (values['dry-run']) {
    log(
      `[3/3] would add ${roles.map((r) => r.name).join(', ')} in ${divisions} to the Terraform client ${process.env.GENESYSCLOUD_OAUTHCLIENT_ID ?? '(GENESYSCLOUD_OAUTHCLIENT_ID)'}`,
    );
    log('--dry-run: nothing changed.');
    return 0;
  }
  log(`[3/3] adding the roles to the Terraform client in ${divisions}, as the admin client…`);
  const admin = createGenesysClient({
    apiBase,
    loginBase,
    clientId: process.env.GENESYSCLOUD_ADMIN_CLIENT_ID!.trim(),
    clientSecret: process.env.GENESYSCLOUD_ADMIN_CLIENT_SECRET!.trim(),
    // A handful of administrative calls: far under any limit.
    ratePerMinute: 60,
    maxAttempts: 3,
  });
  const result = await grantRolesToClient(admin, {
    clientId: process.env.GENESYSCLOUD_OAUTHCLIENT_ID!.trim(),
    roleNames: roles.map((r) => r.name),
    divisionIds,
    log: (line) => log(`      ${line}`),
  });
  log(
    result.added.length
      ? `      added ${result.added.join(', ')}${result.alreadyHeld.length ? `; already held ${result.alreadyHeld.join(', ')}` : ''}`
      : '      nothing to add',
  );
  log(`\nBootstrap done. Deploy the environment now: LOADLAB_ENV=${env.name} npx cdktf deploy '*'`);
  return 0;
}

void runCli(main, {
  usage: USAGE,
  expected: [
    [BootstrapError, 1],
    [StepFailed, 1],
  ],
  exitWhenDone: true,
});
