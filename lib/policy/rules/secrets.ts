/** Secret rules: no secret in environment variables, in synthesized Terraform or in plain outputs. */
import { resources, strings, type Resource } from '../terraform-json';
import type { PolicyRule, Violation } from '../types';
import { violation } from './violation';

const SECRET_KEY = /(secret|password|passwd|private_?key|api_?key|access_?key|token)$/i;
const SAFE_SECRET_KEYS =
  /(_arn|_name|_id|_ids|_version|_window_in_days|expose_client_secret|_validity_seconds|_sec|_seconds|kms_key.*|_type)$/i;
const SECRET_VALUE_PATTERNS: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}\b/, 'a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
];
const isReference = (v: string): boolean => /\$\{[^}]+\}/.test(v);

export const SECRET_RULES: readonly PolicyRule[] = [
  {
    id: 'LAMBDA-003',
    reason: 'Secrets are read from Secrets Manager at run time, never placed in environment variables.',
    guidance: 'AWS Lambda: securing environment variables',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) =>
        Object.entries(
          ((f.body.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {}) as Record<string, unknown>,
        )
          .filter(([name, value]) => {
            const text = String(value);
            const secretName = SECRET_KEY.test(name) && !/_(ARN|NAME|ID)$/i.test(name);
            return secretName || SECRET_VALUE_PATTERNS.some(([re]) => re.test(text));
          })
          .map(([name]) =>
            violation(
              'LAMBDA-003',
              t,
              f,
              `environment variable ${name} looks like a secret`,
              'store it in Secrets Manager and pass the secret ARN (…_SECRET_ARN) instead',
            ),
          ),
      ),
  },
  {
    id: 'SEC-001',
    reason: 'No secret value is ever written into synthesized Terraform.',
    guidance: 'AWS Secrets Manager best practices; Terraform: sensitive values',
    check: (t) => {
      const found: Violation[] = [];
      const inspect = (r: Resource | { address: string }, value: unknown): void => {
        for (const s of strings(value)) {
          const key = s.path
            .split('.')
            .pop()!
            .replace(/\[\d+\]$/, '');
          for (const [re, what] of SECRET_VALUE_PATTERNS) {
            if (re.test(s.value))
              found.push({
                rule: 'SEC-001',
                stack: t.stack,
                address: r.address,
                problem: `${s.path} contains ${what}`,
                fix: 'move it to Secrets Manager and reference it',
              });
          }
          if (SECRET_KEY.test(key) && !SAFE_SECRET_KEYS.test(key) && s.value !== '' && !isReference(s.value)) {
            found.push({
              rule: 'SEC-001',
              stack: t.stack,
              address: r.address,
              problem: `${s.path} is a literal secret`,
              fix: 'reference the secret (e.g. the OAuth client attribute) instead of writing it',
            });
          }
          if (/^\s*[{[]/.test(s.value)) {
            try {
              inspect({ address: `${r.address} (${s.path})` }, JSON.parse(s.value));
            } catch {
              // Not JSON: already checked as a string.
            }
          }
        }
      };
      for (const r of resources(t.json)) inspect(r, r.body);
      for (const [name, body] of Object.entries(t.json.output ?? {})) inspect({ address: `output.${name}` }, body);
      for (const [name, blocks] of Object.entries(t.json.provider ?? {})) inspect({ address: `provider.${name}` }, blocks);
      return found;
    },
  },
  {
    id: 'SEC-002',
    reason: 'Outputs that carry secrets are marked sensitive, so plans and logs never print them.',
    guidance: 'Terraform: output sensitive = true',
    check: (t) =>
      Object.entries(t.json.output ?? {})
        .filter(
          ([, o]) => [...strings(o.value)].some((v) => /client_secret|clientSecret|secret_string/.test(v.value)) && o.sensitive !== true,
        )
        .map(([name]) => ({
          rule: 'SEC-002',
          stack: t.stack,
          address: `output.${name}`,
          problem: 'exposes a secret without sensitive = true',
          fix: 'mark the output sensitive',
        })),
  },
  {
    id: 'SEC-003',
    reason:
      "Every secret is encrypted with a customer key and has a resource policy naming its readers; its value is written in the stack that creates it, never from another stack's state.",
    guidance: 'AWS Secrets Manager: resource-based policies, encryption with a customer managed key',
    check: (t) => {
      const policies = resources(t.json, 'aws_secretsmanager_secret_policy').map((p) => String(p.body.secret_arn));
      const found: Violation[] = [];
      for (const secret of resources(t.json, 'aws_secretsmanager_secret')) {
        if (typeof secret.body.kms_key_id !== 'string' || !secret.body.kms_key_id)
          found.push(
            violation('SEC-003', t, secret, 'is encrypted with the AWS managed key', "set kms_key_id to the environment's secrets key"),
          );
        if (!policies.includes(`\${${secret.address}.arn}`))
          found.push(
            violation('SEC-003', t, secret, 'has no resource policy', 'add an aws_secretsmanager_secret_policy naming its readers'),
          );
      }
      for (const version of resources(t.json, 'aws_secretsmanager_secret_version'))
        if (/terraform_remote_state/.test(String(version.body.secret_string)))
          found.push(
            violation(
              'SEC-003',
              t,
              version,
              "stores a value read from another stack's state",
              'write the secret in the stack that creates it',
            ),
          );
      return found;
    },
  },
];
