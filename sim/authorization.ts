/**
 * The simulator's authorization and OAuth client administration: roles, the home division and
 * OAuth clients with their role grants. Enough of the Platform API for `npm run bootstrap` and
 * for the rule that makes a first deploy fail: a client may only give another client a role whose
 * permissions it holds itself (the Genesys Cloud provider, running as a client-credentials
 * client, hits this when it creates OAuth clients with roles it does not hold).
 */
import { randomUUID } from 'node:crypto';

export interface SimRole {
  readonly id: string;
  readonly name: string;
  /** `domain:entity:action` strings; `*` is every permission (a master admin role). */
  readonly permissions: readonly string[];
}

export interface SimRoleDivision {
  readonly roleId: string;
  readonly divisionId: string;
}

export interface SimOAuthClient {
  readonly id: string;
  name: string;
  description?: string;
  authorizedGrantType: string;
  accessTokenValiditySeconds: number;
  state: string;
  roleDivisions: SimRoleDivision[];
}

export interface AuthorizationOptions {
  readonly homeDivisionId?: string;
  readonly roles?: readonly { readonly name: string; readonly permissions: readonly string[]; readonly id?: string }[];
  /** OAuth clients by id (the id is also the client id used at /oauth/token), with role names they hold. */
  readonly oauthClients?: readonly { readonly id: string; readonly name: string; readonly roles?: readonly string[] }[];
}

export interface AuthorizationRequest {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  /** The OAuth client whose token made the call. */
  readonly callerId: string;
}

export interface AuthorizationReply {
  readonly status: number;
  readonly body?: unknown;
}

export interface AuthorizationRoute {
  readonly method: string;
  readonly template: string;
  readonly handle: (req: AuthorizationRequest) => AuthorizationReply;
}

const error = (status: number, code: string, message: string): AuthorizationReply => ({
  status,
  body: { message, code, status, messageParams: {}, contextId: '', details: [], errors: [] },
});

export class AuthorizationStore {
  readonly homeDivisionId: string;
  private readonly roles = new Map<string, SimRole>();
  private readonly clients = new Map<string, SimOAuthClient>();

  constructor(options: AuthorizationOptions = {}) {
    this.homeDivisionId = options.homeDivisionId ?? randomUUID();
    for (const r of options.roles ?? []) this.addRole(r.name, r.permissions, r.id);
    for (const c of options.oauthClients ?? []) {
      this.addOAuthClient(
        c.id,
        c.name,
        (c.roles ?? []).map((name) => this.roleNamed(name)?.id ?? missingRole(name)),
      );
    }
  }

  addRole(name: string, permissions: readonly string[], id: string = randomUUID()): SimRole {
    if (this.roleNamed(name)) throw new Error(`role ${name} exists already`);
    const role = { id, name, permissions: [...permissions] };
    this.roles.set(id, role);
    return role;
  }

  roleNamed(name: string): SimRole | undefined {
    return [...this.roles.values()].find((r) => r.name === name);
  }

  addOAuthClient(id: string, name: string, roleIds: readonly string[]): SimOAuthClient {
    const client: SimOAuthClient = {
      id,
      name,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      accessTokenValiditySeconds: 86_400,
      state: 'active',
      roleDivisions: roleIds.map((roleId) => ({ roleId, divisionId: this.homeDivisionId })),
    };
    this.clients.set(id, client);
    return client;
  }

  oauthClient(id: string): SimOAuthClient | undefined {
    return this.clients.get(id);
  }

  /** Every permission the client holds through its roles. */
  permissionsOf(clientId: string): Set<string> {
    const held = new Set<string>();
    for (const rd of this.clients.get(clientId)?.roleDivisions ?? [])
      for (const p of this.roles.get(rd.roleId)?.permissions ?? []) held.add(p);
    return held;
  }

  private can(clientId: string, permission: string): boolean {
    const held = this.permissionsOf(clientId);
    return held.has('*') || held.has(permission);
  }

  /** Roles among `grants` whose permissions the caller does not all hold. */
  private notGrantable(callerId: string, grants: readonly SimRoleDivision[]): string[] {
    const held = this.permissionsOf(callerId);
    if (held.has('*')) return [];
    return grants
      .map((g) => this.roles.get(g.roleId))
      .filter((r): r is SimRole => r !== undefined && !r.permissions.every((p) => held.has(p)))
      .map((r) => r.name);
  }

  /** Validates a client create/update body; returns the grants or an error reply. */
  private grantsOf(body: unknown, callerId: string, previous: readonly SimRoleDivision[] = []): SimRoleDivision[] | AuthorizationReply {
    const b = body as { name?: unknown; authorizedGrantType?: unknown; roleDivisions?: unknown } | undefined;
    if (typeof b?.name !== 'string' || !b.name) return error(400, 'bad.request', 'name is required');
    if (typeof b.authorizedGrantType !== 'string') return error(400, 'bad.request', 'authorizedGrantType is required');
    const grants = Array.isArray(b.roleDivisions) ? (b.roleDivisions as SimRoleDivision[]) : [];
    for (const g of grants) {
      if (typeof g?.roleId !== 'string' || !this.roles.has(g.roleId))
        return error(400, 'bad.request', `role ${String(g?.roleId)} does not exist`);
      if (typeof g.divisionId !== 'string' || !g.divisionId) return error(400, 'bad.request', 'roleDivisions[].divisionId is required');
    }
    const added = grants.filter((g) => !previous.some((p) => p.roleId === g.roleId && p.divisionId === g.divisionId));
    const refused = this.notGrantable(callerId, added);
    if (refused.length) {
      return error(403, 'missing.permissions', `You cannot grant roles you do not hold: ${refused.join(', ')}`);
    }
    return grants.map((g) => ({ roleId: g.roleId, divisionId: g.divisionId }));
  }

  routes(): AuthorizationRoute[] {
    const view = (c: SimOAuthClient) => ({ ...c, roleDivisions: c.roleDivisions.map((rd) => ({ ...rd })) });
    return [
      {
        method: 'GET',
        template: '/api/v2/authorization/divisions/home',
        handle: () => ({ status: 200, body: { id: this.homeDivisionId, name: 'Home', homeDivision: true } }),
      },
      {
        method: 'GET',
        template: '/api/v2/authorization/roles',
        handle: (req) => {
          if (!this.can(req.callerId, 'authorization:role:view'))
            return error(403, 'missing.permissions', 'authorization:role:view is required');
          const name = req.query.get('name');
          const entities = [...this.roles.values()]
            .filter((r) => name === null || r.name === name)
            .map((r) => ({ id: r.id, name: r.name }));
          return { status: 200, body: { entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1 } };
        },
      },
      {
        method: 'POST',
        template: '/api/v2/authorization/roles',
        handle: (req) => {
          if (!this.can(req.callerId, 'authorization:role:add'))
            return error(403, 'missing.permissions', 'authorization:role:add is required');
          const b = req.body as { name?: unknown; permissionPolicies?: { domain: string; entityName: string; actionSet: string[] }[] };
          if (typeof b?.name !== 'string' || !b.name) return error(400, 'bad.request', 'name is required');
          if (this.roleNamed(b.name)) return error(409, 'conflict', `A role named ${b.name} already exists`);
          const permissions = (b.permissionPolicies ?? []).flatMap((p) => p.actionSet.map((a) => `${p.domain}:${p.entityName}:${a}`));
          const role = this.addRole(b.name, permissions);
          return { status: 200, body: { id: role.id, name: role.name } };
        },
      },
      {
        method: 'GET',
        template: '/api/v2/oauth/clients/{clientId}',
        handle: (req) => {
          if (!this.can(req.callerId, 'oauth:client:view')) return error(403, 'missing.permissions', 'oauth:client:view is required');
          const c = this.clients.get(req.params.clientId);
          return c ? { status: 200, body: view(c) } : error(404, 'not.found', `OAuth client ${req.params.clientId} not found`);
        },
      },
      {
        method: 'PUT',
        template: '/api/v2/oauth/clients/{clientId}',
        handle: (req) => {
          if (!this.can(req.callerId, 'oauth:client:edit')) return error(403, 'missing.permissions', 'oauth:client:edit is required');
          const c = this.clients.get(req.params.clientId);
          if (!c) return error(404, 'not.found', `OAuth client ${req.params.clientId} not found`);
          const grants = this.grantsOf(req.body, req.callerId, c.roleDivisions);
          if (!Array.isArray(grants)) return grants;
          const b = req.body as Partial<SimOAuthClient>;
          Object.assign(c, {
            name: b.name,
            description: b.description,
            authorizedGrantType: b.authorizedGrantType,
            accessTokenValiditySeconds: b.accessTokenValiditySeconds ?? c.accessTokenValiditySeconds,
            state: b.state ?? c.state,
            roleDivisions: grants,
          });
          return { status: 200, body: view(c) };
        },
      },
      {
        method: 'POST',
        template: '/api/v2/oauth/clients',
        handle: (req) => {
          if (!this.can(req.callerId, 'oauth:client:add')) return error(403, 'missing.permissions', 'oauth:client:add is required');
          const grants = this.grantsOf(req.body, req.callerId);
          if (!Array.isArray(grants)) return grants;
          const b = req.body as Partial<SimOAuthClient>;
          const c = this.addOAuthClient(randomUUID(), String(b.name), []);
          c.roleDivisions = grants;
          return { status: 200, body: { ...view(c), secret: randomUUID() } };
        },
      },
    ];
  }
}

function missingRole(name: string): never {
  throw new Error(`oauthClients: role ${name} is not among roles`);
}
