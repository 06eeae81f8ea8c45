/**
 * The Genesys tenant construct: the genesys stack only composes it, and moving the roles and
 * clients into it replaced nothing (every Genesys resource keeps its Terraform address).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { repoEnvironment, synthEnvironment, synthJson } from '../helpers/env';
import { GenesysTenant } from '../../lib/genesys-tenant/tenant';

describe('GenesysTenant', () => {
  const { stacks } = synthEnvironment(repoEnvironment('example'));
  const json = synthJson(stacks.genesys);

  it('keeps the address of every Genesys resource the stack had before the tenant existed', () => {
    // Addresses of main's example-genesys before the construct (fixture), against today's.
    const before = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'example-genesys-addresses.json'), 'utf8')) as string[];
    const now = Object.entries(json.resource ?? {})
      .filter(([type]) => type.startsWith('genesyscloud_'))
      .flatMap(([type, rs]) => Object.keys(rs).map((k) => `${type}.${k}`))
      .sort();
    expect(now).toEqual(before);
  });

  it('owns the roles, the clients sized by the plan and one secret per client', () => {
    const tenant = stacks.genesys.tenant;
    expect(tenant).toBeInstanceOf(GenesysTenant);
    expect(tenant.runnerClients).toHaveLength(stacks.budget.runnerClients);
    expect([...tenant.secrets.keys()]).toEqual([...tenant.runnerClients.map((c) => c.purpose), 'metadata-worker', 'report-worker']);
    for (const client of [...tenant.runnerClients, tenant.metadataWorkerClient, tenant.reportWorkerClient])
      expect(client.roles.length).toBe(1);
    // The refs other stacks get are plain names, no Terraform reference into this stack.
    for (const ref of [...stacks.genesys.refs.runnerClients, stacks.genesys.refs.metadataWorkerClient])
      expect(JSON.stringify(ref)).not.toMatch(/\$\{/);
    expect(stacks.genesys.refs.partnerEventSourceName).toBe(
      'aws.partner/genesys.com/cloud/3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b/loadlab-example',
    );
    expect(Testing.synth(stacks.genesys)).toContain('alias/loadlab-example-secrets');
  });
});
