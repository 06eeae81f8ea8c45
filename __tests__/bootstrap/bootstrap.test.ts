/**
 * The first deploy of the Genesys stack, against the simulator: creating OAuth clients with roles
 * the Terraform client does not hold fails; after `npm run bootstrap` adds the roles to the
 * Terraform client (as an admin), the same creation succeeds.
 */
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startSimulator, type Simulator } from '../../sim/server';
import { createGenesysClient, type GenesysApiClient } from '../../lib/genesys-client';
import { BootstrapError, grantRolesToClient, rolesApplyCommands, stackRoles } from '../../commands/bootstrap';
import { repoEnvironment, synthEnvironment, synthJson } from '../helpers/env';

const ROLES = ['loadlab-example-metadata-worker', 'loadlab-example-report-worker', 'loadlab-example-runner'];
const PERMISSIONS: Record<string, string[]> = {
  'loadlab-example-runner': ['analytics:conversationDetail:view', 'scripter:script:view'],
  'loadlab-example-metadata-worker': ['recording:recording:view'],
  'loadlab-example-report-worker': ['usage:client:view'],
};
const TERRAFORM_CLIENT = '6f1c2b7e-0000-4000-8000-00000000000a';
const ADMIN_CLIENT = '6f1c2b7e-0000-4000-8000-00000000000b';

async function simWithOrg(opts: { adminPermissions?: string[]; roles?: string[] } = {}): Promise<Simulator> {
  return startSimulator({
    seed: 1,
    clients: [
      { id: TERRAFORM_CLIENT, secret: 'tf-secret' },
      { id: ADMIN_CLIENT, secret: 'admin-secret' },
    ],
    authorization: {
      roles: [
        // What a Terraform client typically holds: it may create roles and clients, but holds none of ours.
        {
          name: 'terraform',
          permissions: ['authorization:role:add', 'authorization:role:view', 'oauth:client:add', 'oauth:client:view', 'oauth:client:edit'],
        },
        { name: 'admin', permissions: opts.adminPermissions ?? ['*'] },
        ...(opts.roles ?? ROLES).map((name) => ({ name, permissions: PERMISSIONS[name] })),
      ],
      oauthClients: [
        { id: TERRAFORM_CLIENT, name: 'terraform', roles: ['terraform'] },
        { id: ADMIN_CLIENT, name: 'admin', roles: ['admin'] },
      ],
    },
  });
}

const clientOf = (sim: Simulator, id: string, secret: string): GenesysApiClient =>
  createGenesysClient({
    apiBase: sim.apiBase,
    loginBase: sim.loginBase,
    clientId: id,
    clientSecret: secret,
    ratePerMinute: 600,
    maxAttempts: 2,
  });

/** What the provider does for each genesyscloud_oauth_client: create it with its role. */
const createWorkerClient = (tf: GenesysApiClient, sim: Simulator, role: string) =>
  tf.post('/api/v2/oauth/clients', {
    name: `client-for-${role}`,
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId: sim.authorization.roleNamed(role)!.id, divisionId: sim.authorization.homeDivisionId }],
  });

describe('first deploy of the Genesys stack (simulator)', () => {
  let sim: Simulator;
  afterEach(() => sim.stop());

  it('fails to create OAuth clients with the new roles until the Terraform client holds them, then succeeds', async () => {
    sim = await simWithOrg();
    const tf = clientOf(sim, TERRAFORM_CLIENT, 'tf-secret');
    const refused = await createWorkerClient(tf, sim, 'loadlab-example-runner');
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('cannot grant roles you do not hold: loadlab-example-runner');

    const lines: string[] = [];
    const result = await grantRolesToClient(clientOf(sim, ADMIN_CLIENT, 'admin-secret'), {
      clientId: TERRAFORM_CLIENT,
      roleNames: ROLES,
      log: (l) => lines.push(l),
    });
    expect(result).toEqual({ added: ROLES, alreadyHeld: [] });
    expect(lines[0]).toMatch(/^adding loadlab-example-metadata-worker, .* to terraform /);
    // The Terraform client keeps what it held and now holds the new roles in the home division.
    const held = sim.authorization.oauthClient(TERRAFORM_CLIENT)!.roleDivisions;
    expect(held.map((rd) => rd.roleId).sort()).toEqual(['terraform', ...ROLES].map((n) => sim.authorization.roleNamed(n)!.id).sort());
    expect(new Set(held.map((rd) => rd.divisionId))).toEqual(new Set([sim.authorization.homeDivisionId]));

    for (const role of ROLES) expect((await createWorkerClient(tf, sim, role)).status).toBe(200);
  });

  it('is idempotent: a second run changes nothing', async () => {
    sim = await simWithOrg();
    const admin = clientOf(sim, ADMIN_CLIENT, 'admin-secret');
    await grantRolesToClient(admin, { clientId: TERRAFORM_CLIENT, roleNames: ROLES });
    const before = JSON.stringify(sim.authorization.oauthClient(TERRAFORM_CLIENT));
    const lines: string[] = [];
    expect(await grantRolesToClient(admin, { clientId: TERRAFORM_CLIENT, roleNames: ROLES, log: (l) => lines.push(l) })).toEqual({
      added: [],
      alreadyHeld: ROLES,
    });
    expect(lines).toEqual([`terraform already holds ${ROLES.join(', ')}; nothing to change`]);
    expect(JSON.stringify(sim.authorization.oauthClient(TERRAFORM_CLIENT))).toBe(before);
  });

  it('grants in the configured divisions instead of the home division', async () => {
    sim = await simWithOrg();
    const divisions = ['9a1b2c3d-0000-4000-8000-000000000001', '9a1b2c3d-0000-4000-8000-000000000002'];
    await grantRolesToClient(clientOf(sim, ADMIN_CLIENT, 'admin-secret'), {
      clientId: TERRAFORM_CLIENT,
      roleNames: ['loadlab-example-runner'],
      divisionIds: divisions,
    });
    const runner = sim.authorization.roleNamed('loadlab-example-runner')!.id;
    const grants = sim.authorization.oauthClient(TERRAFORM_CLIENT)!.roleDivisions.filter((rd) => rd.roleId === runner);
    expect(grants.map((g) => g.divisionId).sort()).toEqual(divisions);
  });

  it('says which roles do not exist yet, and changes nothing', async () => {
    sim = await simWithOrg({ roles: ['loadlab-example-runner'] });
    const before = JSON.stringify(sim.authorization.oauthClient(TERRAFORM_CLIENT));
    const run = grantRolesToClient(clientOf(sim, ADMIN_CLIENT, 'admin-secret'), { clientId: TERRAFORM_CLIENT, roleNames: ROLES });
    await expect(run).rejects.toThrow(BootstrapError);
    await expect(run).rejects.toThrow(
      'role(s) loadlab-example-metadata-worker, loadlab-example-report-worker do not exist in the org yet; create them first',
    );
    expect(JSON.stringify(sim.authorization.oauthClient(TERRAFORM_CLIENT))).toBe(before);
  });

  it('names the missing permission when the admin client may not grant the roles', async () => {
    // An "admin" that may edit clients but does not hold the roles' permissions.
    sim = await simWithOrg({ adminPermissions: ['authorization:role:view', 'oauth:client:view', 'oauth:client:edit'] });
    await expect(
      grantRolesToClient(clientOf(sim, ADMIN_CLIENT, 'admin-secret'), { clientId: TERRAFORM_CLIENT, roleNames: ROLES }),
    ).rejects.toThrow(
      /updating the Terraform OAuth client .* was refused \(HTTP 403: You cannot grant roles you do not hold: .*\); the admin client needs oauth:client:edit and every permission of the roles it grants/,
    );
  });

  it('says when the Terraform client id is wrong', async () => {
    sim = await simWithOrg();
    await expect(
      grantRolesToClient(clientOf(sim, ADMIN_CLIENT, 'admin-secret'), { clientId: 'no-such-client', roleNames: ROLES }),
    ).rejects.toThrow('reading the Terraform OAuth client no-such-client: not found (HTTP 404: OAuth client no-such-client not found)');
  });
});

describe('roles of the synthesized Genesys stack', () => {
  it('are found in cdk.tf.json and applied alone with -target', () => {
    const { stacks } = synthEnvironment(repoEnvironment('example'));
    const roles = stackRoles(synthJson(stacks.genesys));
    expect(roles.map((r) => r.name)).toEqual(ROLES);
    for (const r of roles) expect(r.address).toMatch(/^genesyscloud_auth_role\.role-[a-z-]+_role_[0-9A-F]{8}$/);
    expect(rolesApplyCommands('cdktf.out/stacks/example-genesys', roles, true)).toEqual([
      { command: 'terraform', args: ['-chdir=cdktf.out/stacks/example-genesys', 'init', '-input=false'] },
      {
        command: 'terraform',
        args: [
          '-chdir=cdktf.out/stacks/example-genesys',
          'apply',
          '-input=false',
          '-auto-approve',
          ...roles.map((r) => `-target=${r.address}`),
        ],
      },
    ]);
    expect(() => rolesApplyCommands('x', [], false)).toThrow(BootstrapError);
  });
});

describe('npm run bootstrap', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  let dir: string;
  let sim: Simulator | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'loadlab-bootstrap-'));
  });
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function bootstrap(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/bootstrap.ts', ...args], {
      cwd: ROOT,
      env: { PATH: `${dir}/bin:${process.env.PATH}`, HOME: dir, CDKTF_OUTDIR: path.join(dir, 'out'), ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
  }

  it('applies only the roles as the Terraform client, then gives them to it as the admin', async () => {
    const org = (sim = await simWithOrg());
    // A stand-in terraform: records its arguments and the client it runs as.
    const calls = path.join(dir, 'terraform-calls');
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin', 'terraform'), `#!/bin/sh\necho "$GENESYSCLOUD_OAUTHCLIENT_ID $*" >> '${calls}'\n`);
    chmodSync(path.join(dir, 'bin', 'terraform'), 0o755);
    const { code, out } = await bootstrap(['--env', 'example', '--yes', '--api-base', org.apiBase, '--login-base', org.loginBase], {
      GENESYSCLOUD_OAUTHCLIENT_ID: TERRAFORM_CLIENT,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 'tf-secret',
      GENESYSCLOUD_ADMIN_CLIENT_ID: ADMIN_CLIENT,
      GENESYSCLOUD_ADMIN_CLIENT_SECRET: 'admin-secret',
    });
    expect({ code, out }).toMatchObject({ code: 0 });
    const stackDir = path.join(dir, 'out', 'stacks', 'example-genesys');
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`${TERRAFORM_CLIENT} -chdir=${stackDir} init -input=false`);
    expect(lines[1]).toMatch(
      new RegExp(`^${TERRAFORM_CLIENT} -chdir=${stackDir} apply -input=false -auto-approve( -target=genesyscloud_auth_role\\.\\S+){3}$`),
    );
    expect(out).toContain(`added ${ROLES.join(', ')}`);
    expect(out).toContain("Deploy the environment now: LOADLAB_ENV=example npx cdktf deploy '*'");
    const held = org.authorization.permissionsOf(TERRAFORM_CLIENT);
    for (const p of Object.values(PERMISSIONS).flat()) expect(held.has(p)).toBe(true);
  }, 90_000);

  it('refuses to start without the admin credentials, naming each variable', async () => {
    const { code, out } = await bootstrap(['--env', 'example'], { GENESYSCLOUD_OAUTHCLIENT_ID: TERRAFORM_CLIENT });
    expect(code).toBe(2);
    expect(out).toContain('error: GENESYSCLOUD_OAUTHCLIENT_SECRET is not set');
    expect(out).toContain('error: GENESYSCLOUD_ADMIN_CLIENT_ID is not set');
    expect(out).toContain('error: GENESYSCLOUD_ADMIN_CLIENT_SECRET is not set');
    expect(out).not.toMatch(/\n\s+at /);
  }, 60_000);
});
