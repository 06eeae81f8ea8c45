/** Genesys Cloud rules: named permissions, client credentials with roles, bounded token validity. */
import { resources } from '../terraform-json';
import type { PolicyRule } from '../types';
import { violation } from './violation';

export const GENESYS_RULES: readonly PolicyRule[] = [
  {
    id: 'GEN-001',
    reason: 'Genesys Cloud roles name every permission; no wildcard domain, entity or action.',
    guidance: 'Genesys Cloud roles and permissions (least privilege); provider genesyscloud_auth_role',
    check: (t) =>
      resources(t.json, 'genesyscloud_auth_role').flatMap((role) => {
        const policies = (role.body.permission_policies as { domain?: string; entity_name?: string; action_set?: string[] }[]) ?? [];
        const bad = policies.filter((p) => [p.domain, p.entity_name, ...(p.action_set ?? [])].some((v) => String(v).includes('*')));
        const badPermissions = ((role.body.permissions as string[]) ?? []).filter((p) => p.includes('*'));
        return [...bad.map((p) => `${p.domain}:${p.entity_name}:${(p.action_set ?? []).join(',')}`), ...badPermissions].map((p) =>
          violation(
            'GEN-001',
            t,
            role,
            `grants wildcard permission ${p}`,
            'list the exact domain:entity:action the caller needs (lib/genesys-facts/endpoints.ts)',
          ),
        );
      }),
  },
  {
    id: 'GEN-002',
    reason: 'Machine callers use client credentials with explicit roles.',
    guidance: 'Genesys Cloud OAuth client credentials grant; provider genesyscloud_oauth_client (roles required for CLIENT-CREDENTIALS)',
    check: (t) =>
      resources(t.json, 'genesyscloud_oauth_client')
        .filter(
          (c) =>
            c.body.authorized_grant_type !== 'CLIENT-CREDENTIALS' ||
            !Array.isArray(c.body.roles) ||
            (c.body.roles as unknown[]).length === 0,
        )
        .map((c) =>
          violation(
            'GEN-002',
            t,
            c,
            'is not a CLIENT-CREDENTIALS client with roles',
            'set authorized_grant_type = CLIENT-CREDENTIALS and bind its role(s)',
          ),
        ),
  },
  {
    id: 'GEN-003',
    reason: 'Tokens expire within the environment policy maximum.',
    guidance: 'Genesys Cloud OAuth: access_token_validity_seconds (300-172800)',
    check: (t) =>
      resources(t.json, 'genesyscloud_oauth_client')
        .filter(
          (c) =>
            typeof c.body.access_token_validity_seconds !== 'number' ||
            (c.body.access_token_validity_seconds as number) > t.maxTokenValiditySec,
        )
        .map((c) =>
          violation(
            'GEN-003',
            t,
            c,
            `token validity ${String(c.body.access_token_validity_seconds ?? 'unset (86400)')} exceeds ${t.maxTokenValiditySec} s`,
            'set access_token_validity_seconds <= genesys.tokenValiditySec.max',
          ),
        ),
  },
];
