/**
 * First deploy of an environment's Genesys stack. The Genesys Cloud provider refuses to give an
 * OAuth client a role the client Terraform runs as does not hold, and a client-credentials client
 * cannot add roles to itself. So `npm run bootstrap` (`runBootstrap`, below):
 *   1. creates only the stack's roles, as the Terraform client (`terraform apply -target=…`);
 *   2. with an admin's credentials, adds those roles to the Terraform client through the Platform
 *      API (GET then PUT /api/v2/oauth/clients/{id}), keeping every role it already holds;
 * after which `cdktf deploy` creates everything else. Both steps are idempotent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadEnvironment, selectedEnvironmentName } from '../lib/config';
import { genesysUrlsFromFlags, parseArgs } from '../lib/cli';
import { createGenesysClient, GenesysApiError, type GenesysApiClient } from '../lib/genesys-client';
import type { StackJson } from '../lib/policy/terraform-json';

/** A Genesys role of the synthesized stack: its Terraform address and its name in the org. */
export interface StackRole {
  readonly address: string;
  readonly name: string;
}

export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapError';
  }
}

/** The roles `<env>-genesys` creates, from its synthesized JSON. */
export function stackRoles(json: StackJson): StackRole[] {
  const roles = json.resource?.genesyscloud_auth_role ?? {};
  return Object.entries(roles)
    .map(([key, body]) => ({ address: `genesyscloud_auth_role.${key}`, name: String(body.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface Command {
  readonly command: string;
  readonly args: readonly string[];
}

/** `terraform init` and the apply that creates only the roles, run in the stack's folder. */
export function rolesApplyCommands(stackDir: string, roles: readonly StackRole[], autoApprove: boolean): Command[] {
  if (roles.length === 0) throw new BootstrapError(`no genesyscloud_auth_role in ${stackDir}/cdk.tf.json; nothing to bootstrap`);
  return [
    { command: 'terraform', args: [`-chdir=${stackDir}`, 'init', '-input=false'] },
    {
      command: 'terraform',
      args: [
        `-chdir=${stackDir}`,
        'apply',
        '-input=false',
        ...(autoApprove ? ['-auto-approve'] : []),
        ...roles.map((r) => `-target=${r.address}`),
      ],
    },
  ];
}

interface RoleDivision {
  readonly roleId: string;
  readonly divisionId: string;
}

interface OAuthClientBody {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly authorizedGrantType: string;
  readonly accessTokenValiditySeconds?: number;
  readonly registeredRedirectUri?: string[];
  readonly scope?: string[];
  readonly state?: string;
  readonly roleDivisions?: RoleDivision[];
}

export interface GrantOptions {
  /** The OAuth client Terraform runs as (GENESYSCLOUD_OAUTHCLIENT_ID). */
  readonly clientId: string;
  readonly roleNames: readonly string[];
  /** Divisions to grant each role in; default the home division (as the stack's clients use). */
  readonly divisionIds?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface GrantResult {
  readonly added: readonly string[];
  readonly alreadyHeld: readonly string[];
}

/** Why a Platform API call failed, with the fix when the cause is known. */
function explain(what: string, err: unknown, need: string): never {
  if (err instanceof GenesysApiError) {
    const body = err.details.body as { message?: string } | undefined;
    const detail = body?.message ? `: ${body.message}` : '';
    if (err.status === 403) throw new BootstrapError(`${what} was refused (HTTP 403${detail}); the admin client needs ${need}`);
    if (err.status === 404) throw new BootstrapError(`${what}: not found (HTTP 404${detail})`);
    throw new BootstrapError(`${what} failed: ${err.message}${detail}`);
  }
  throw err;
}

async function call<T>(api: GenesysApiClient, method: string, path: string, what: string, need: string, body?: unknown): Promise<T> {
  let res;
  try {
    res = await api.request<T>(method, path, body);
  } catch (err) {
    explain(what, err, need);
  }
  if (res.status >= 400) {
    explain(
      what,
      new GenesysApiError(`${method} ${path}: HTTP ${res.status}`, { method, path, status: res.status, attempts: 1, body: res.body }),
      need,
    );
  }
  return res.body;
}

/**
 * Adds each named role (in each division) to the Terraform client, keeping what it holds, then
 * reads the client back to confirm. Run with an admin's token: the caller must hold the roles'
 * permissions itself, plus oauth:client:view/edit and authorization:role:view.
 */
export async function grantRolesToClient(api: GenesysApiClient, opts: GrantOptions): Promise<GrantResult> {
  const log = opts.log ?? (() => {});
  const roleIds = new Map<string, string>();
  const missing: string[] = [];
  for (const name of opts.roleNames) {
    const page = await call<{ entities?: { id: string; name: string }[] }>(
      api,
      'GET',
      `/api/v2/authorization/roles?name=${encodeURIComponent(name)}&pageSize=25`,
      `looking up role ${name}`,
      'authorization:role:view',
    );
    const role = (page.entities ?? []).find((r) => r.name === name);
    if (role) roleIds.set(name, role.id);
    else missing.push(name);
  }
  if (missing.length) {
    throw new BootstrapError(
      `role(s) ${missing.join(', ')} do not exist in the org yet; create them first (npm run bootstrap does, unless --skip-roles-apply)`,
    );
  }

  let divisionIds = [...(opts.divisionIds ?? [])];
  if (divisionIds.length === 0) {
    const home = await call<{ id: string }>(
      api,
      'GET',
      '/api/v2/authorization/divisions/home',
      'reading the home division',
      'authorization:division:view',
    );
    divisionIds = [home.id];
  }

  const path = `/api/v2/oauth/clients/${encodeURIComponent(opts.clientId)}`;
  const what = `the Terraform OAuth client ${opts.clientId}`;
  const client = await call<OAuthClientBody>(api, 'GET', path, `reading ${what}`, 'oauth:client:view');
  const held = client.roleDivisions ?? [];
  const holds = (g: RoleDivision, list: readonly RoleDivision[]) =>
    list.some((h) => h.roleId === g.roleId && h.divisionId === g.divisionId);
  const wanted = opts.roleNames.flatMap((name) => divisionIds.map((divisionId) => ({ name, roleId: roleIds.get(name)!, divisionId })));
  const toAdd = wanted.filter((g) => !holds(g, held));
  const added = [...new Set(toAdd.map((g) => g.name))];
  const alreadyHeld = opts.roleNames.filter((n) => !added.includes(n));
  if (toAdd.length === 0) {
    log(`${client.name} already holds ${opts.roleNames.join(', ')}; nothing to change`);
    return { added: [], alreadyHeld };
  }
  log(`adding ${added.join(', ')} to ${client.name} (${opts.clientId}) in ${divisionIds.length} division(s)…`);
  // PUT replaces the client: send back every field the request accepts, with the grants appended.
  const request = {
    name: client.name,
    description: client.description,
    authorizedGrantType: client.authorizedGrantType,
    accessTokenValiditySeconds: client.accessTokenValiditySeconds,
    registeredRedirectUri: client.registeredRedirectUri,
    scope: client.scope,
    state: client.state,
    roleDivisions: [...held, ...toAdd.map(({ roleId, divisionId }) => ({ roleId, divisionId }))],
  };
  await call(api, 'PUT', path, `updating ${what}`, 'oauth:client:edit and every permission of the roles it grants', request);
  const after = await call<OAuthClientBody>(api, 'GET', path, `reading ${what} back`, 'oauth:client:view');
  const stillMissing = toAdd.filter((g) => !holds(g, after.roleDivisions ?? [])).map((g) => g.name);
  if (stillMissing.length) throw new BootstrapError(`${what} still lacks ${[...new Set(stillMissing)].join(', ')} after the update`);
  for (const g of held) if (!holds(g, after.roleDivisions ?? [])) throw new BootstrapError(`${what} lost role ${g.roleId} in the update`);
  return { added, alreadyHeld };
}

export const BOOTSTRAP_USAGE = `usage: npm run bootstrap -- --env <name> [--yes] [--skip-roles-apply] [--dry-run] [--api-base <url>] [--login-base <url>]
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

/** A terraform step failed (its output is already on the terminal). */
export class StepFailed extends Error {}

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

export async function runBootstrap(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs(argv, {
    env: { type: 'string' },
    yes: { type: 'boolean' },
    'skip-roles-apply': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'api-base': { type: 'string' },
    'login-base': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(BOOTSTRAP_USAGE);
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
