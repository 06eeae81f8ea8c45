import { Construct } from 'constructs';
import { AuthRole } from '../../.gen/providers/genesyscloud/auth-role';
import { parsePermission, permissionsOf, type PermissionPolicy } from './permissions';

export interface GenesysRoleProps {
  /** Role name, unique in the org (prefix it with the environment). */
  readonly name: string;
  readonly description: string;
  /** Exactly what the role may do; from `permissionPolicies()`. No wildcard anywhere. */
  readonly policies: readonly PermissionPolicy[];
}

/**
 * A least-privilege `genesyscloud_auth_role`. Refuses `*` in domain, entity or action at synth
 * time, so a wildcard never reaches a plan.
 */
export class GenesysRole extends Construct {
  readonly resource: AuthRole;
  readonly name: string;
  /** Every permission the role grants, as `domain:entity:action`, sorted. */
  readonly permissions: readonly string[];

  constructor(scope: Construct, id: string, props: GenesysRoleProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,199}$/.test(props.name)) {
      throw new Error(`GenesysRole ${id}: name must be 1-200 letters, digits, space, ".", "_" or "-" (got ${JSON.stringify(props.name)})`);
    }
    for (const p of props.policies) {
      if (p.actionSet.length === 0) throw new Error(`GenesysRole ${props.name}: ${p.domain}:${p.entityName} has no action`);
      for (const action of p.actionSet) parsePermission(`${p.domain}:${p.entityName}:${action}`, `GenesysRole ${props.name}`);
    }
    this.name = props.name;
    this.permissions = permissionsOf(props.policies);
    this.resource = new AuthRole(this, 'role', {
      name: props.name,
      description: props.description,
      permissionPolicies: props.policies.map((p) => ({ domain: p.domain, entityName: p.entityName, actionSet: [...p.actionSet] })),
    });
  }

  get roleId(): string {
    return this.resource.id;
  }
}
