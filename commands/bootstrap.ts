/**
 * First deploy of an environment's Genesys stack. The Genesys Cloud provider refuses to give an
 * OAuth client a role the client Terraform runs as does not hold, and a client-credentials client
 * cannot add roles to itself. So `npm run bootstrap` (bin/bootstrap.ts):
 *   1. creates only the stack's roles, as the Terraform client (`terraform apply -target=…`);
 *   2. with an admin's credentials, adds those roles to the Terraform client through the Platform
 *      API (GET then PUT /api/v2/oauth/clients/{id}), keeping every role it already holds;
 * after which `cdktf deploy` creates everything else. Both steps are idempotent.
 */
import type { GenesysApiClient } from '../lib/genesys-client';
import { GenesysApiError } from '../lib/genesys-client';
import type { StackJson } from '../lib/policy/types';

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
