/**
 * The CI identities (`loadlab-ci`): exact GitHub subjects per role, the deploy role's boundary,
 * a teardown role that reaches only pr-* resources and never an archive, and a PR plan role
 * that reads only pr-* runners state. Asserted on the synthesized JSON.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { addCiStack } from '../../app/build-app';
import { checkPolicies, formatViolation } from '../../lib/policy';
import { parsePolicy, type IamStatement } from '../../lib/policy/resources';
import { resources, type StackJson } from '../../lib/policy/terraform-json';
import { ciRoleName, loadCiIdentities, type CiIdentitiesConfig, type CiRole } from '../../lib/config';
import { githubTrustPolicy } from '../../lib/ci/github-oidc';

const config = (): CiIdentitiesConfig => loadCiIdentities('example').config;
const synth = (c: CiIdentitiesConfig = config()): { json: StackJson; text: string } => {
  const stack = addCiStack(Testing.app(), c);
  const text = Testing.synth(stack);
  return { json: JSON.parse(text) as StackJson, text };
};

const roleOf = (json: StackJson, role: CiRole) => resources(json, 'aws_iam_role').find((r) => r.body.name === ciRoleName(role))!;
const trustOf = (json: StackJson, role: CiRole): IamStatement[] => parsePolicy(roleOf(json, role).body.assume_role_policy)!;
const policyOf = (json: StackJson, role: CiRole): IamStatement[] => {
  const address = roleOf(json, role).name;
  const inline = resources(json, 'aws_iam_role_policy').find((p) => String(p.body.role).includes(`aws_iam_role.${address}.`))!;
  return parsePolicy(inline.body.policy)!;
};
const subjectsOf = (json: StackJson, role: CiRole): string[] => {
  const sub = (trustOf(json, role)[0].Condition!.StringEquals as Record<string, unknown>)['token.actions.githubusercontent.com:sub'];
  return Array.isArray(sub) ? sub : [sub as string];
};
const allows = (statements: IamStatement[], action: string): IamStatement[] =>
  statements.filter((s) => s.Effect === 'Allow' && ([] as unknown[]).concat(s.Action).includes(action));
const resourcesOf = (s: IamStatement): string[] => ([] as string[]).concat(s.Resource as string | string[]);

describe('loadlab-ci', () => {
  const { json, text } = synth();
  const repo = 'example-org/genesys-loadlab';

  it('creates the GitHub OIDC provider for the STS audience', () => {
    expect(text).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
  });

  it('trusts exact subjects only, one trust boundary per role', () => {
    expect(subjectsOf(json, 'pr-plan')).toEqual([`repo:${repo}:pull_request`]);
    expect(subjectsOf(json, 'main-plan')).toEqual([`repo:${repo}:environment:loadlab-plan`]);
    expect(subjectsOf(json, 'deploy')).toEqual([`repo:${repo}:environment:loadlab-example`, `repo:${repo}:environment:loadlab-ephemeral`]);
    expect(subjectsOf(json, 'teardown')).toEqual([`repo:${repo}:environment:loadlab-teardown`]);
    for (const role of ['pr-plan', 'main-plan', 'deploy', 'teardown'] as const) {
      const [statement] = trustOf(json, role);
      expect(Object.keys(statement.Condition!)).toEqual(['StringEquals']);
      expect((statement.Condition!.StringEquals as Record<string, unknown>)['token.actions.githubusercontent.com:aud']).toBe(
        'sts.amazonaws.com',
      );
      expect(JSON.stringify(statement)).not.toMatch(/:sub":[^}]*\*/);
    }
  });

  it('caps the deploy role with a boundary that keeps it off the CI identities', () => {
    expect(text).toHaveResourceWithProperties(IamRole, {
      name: 'loadlab-ci-deploy',
      permissions_boundary: expect.stringContaining('aws_iam_policy.'),
    });
    const boundary = parsePolicy(resources(json, 'aws_iam_policy')[0].body.policy)!;
    const deny = boundary.find((s) => s.Sid === 'DenyChangingCiIdentities')!;
    expect(deny.Effect).toBe('Deny');
    expect(resourcesOf(deny)).toEqual(expect.arrayContaining(['arn:aws:iam::111122223333:role/loadlab-ci-*']));
    for (const role of ['pr-plan', 'main-plan', 'teardown'] as const) expect(roleOf(json, role).body.permissions_boundary).toBeUndefined();
  });

  it('gives PR plans pr-* runners state only, exact read calls and no secret values', () => {
    const policy = policyOf(json, 'pr-plan');
    expect(resourcesOf(allows(policy, 's3:GetObject')[0])).toEqual([
      'arn:aws:s3:::example-org-loadlab-state/genesys-loadlab/pr-*-runners.tfstate',
    ]);
    const actions = policy.flatMap((s) => ([] as string[]).concat(s.Action as string));
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions.filter((a) => /^s3:(Put|Delete)/.test(a))).toEqual([]);
    expect(JSON.stringify(roleOf(json, 'pr-plan').body)).not.toContain('ReadOnlyAccess');
    expect(resources(json, 'aws_iam_role_policy_attachment')).toEqual([]);
  });

  it('lets teardown delete only pr-* resources and denies every destructive call on archives', () => {
    const policy = policyOf(json, 'teardown');
    for (const s of policy.filter(
      (x) => x.Effect === 'Allow' && ([] as string[]).concat(x.Action as string).some((a) => /:Delete|:Schedule/.test(a)),
    )) {
      const scoped =
        resourcesOf(s).every((r) => /pr-\*|loadlab\/pr-\*/.test(r)) ||
        JSON.stringify(s.Condition ?? {}).includes('"pr-*"') ||
        resourcesOf(s)[0] === '*';
      expect({ sid: s.Sid, scoped }).toEqual({ sid: s.Sid, scoped: true });
    }
    const bucketDeny = policy.find((s) => s.Sid === 'DenyArchiveBucketDestruction')!;
    expect(bucketDeny.Effect).toBe('Deny');
    expect(bucketDeny.Action).toEqual(
      expect.arrayContaining(['s3:DeleteBucket', 's3:DeleteObjectVersion', 's3:PutLifecycleConfiguration', 's3:PutBucketPolicy']),
    );
    expect(resourcesOf(bucketDeny)).toContain('arn:aws:s3:::loadlab-*-recordings-111122223333');
    const keyDeny = policy.find((s) => s.Sid === 'DenyArchiveKeyDestruction')!;
    expect(keyDeny.Action).toEqual(expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKey']));
    expect(keyDeny.Condition).toEqual({ StringNotLike: { 'aws:ResourceTag/environment': 'pr-*' } });
    expect(resourcesOf(policy.find((st) => st.Sid === 'DenyArchiveAliasChanges')!)).toEqual([
      'arn:aws:kms:us-east-1:111122223333:alias/loadlab-*-archive',
    ]);
    expect(resourcesOf(allows(policy, 'kms:DeleteAlias').find((st) => st.Sid === 'DestroyKeyAliases')!)).toEqual([
      'arn:aws:kms:us-east-1:111122223333:alias/loadlab-pr-*-*',
    ]);
    expect(resourcesOf(allows(policy, 's3:PutObject')[0])).toEqual([
      'arn:aws:s3:::example-org-loadlab-state/genesys-loadlab/pr-*',
      'arn:aws:s3:::example-org-loadlab-state/genesys-loadlab/pr-*.tflock',
    ]);
  });

  it("fits IAM's limit of 10,240 characters of inline policy per role", () => {
    for (const p of resources(json, 'aws_iam_role_policy'))
      expect({ policy: p.address, fits: String(p.body.policy).replace(/\s/g, '').length <= 10240 }).toEqual({
        policy: p.address,
        fits: true,
      });
  });

  it('passes every policy rule, IAM-005 included', () => {
    const violations = checkPolicies({
      stack: 'loadlab-ci',
      json,
      maxTokenValiditySec: 86400,
      requiredTags: ['project', 'environment', 'stack', 'owner'],
    });
    expect(violations.map(formatViolation)).toEqual([]);
  });

  it('finds an existing OIDC provider instead of creating a second one', () => {
    const { text: existing } = synth({ ...config(), createOidcProvider: false });
    expect(existing).not.toHaveResource(IamOpenidConnectProvider);
    expect(existing).toContain('data.aws_iam_openid_connect_provider');
  });
});

describe('GitHub OIDC trust', () => {
  it('refuses a wildcard subject at synth', () => {
    expect(() => githubTrustPolicy('arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com', ['repo:o/r:*'])).toThrow(
      /wildcard; name the exact subject/,
    );
  });

  it('IAM-005 refuses a role whose trust matches sub with a wildcard or StringLike', () => {
    const trust = (condition: object) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com' },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: condition,
          },
        ],
      });
    const json = (condition: object): StackJson =>
      ({ resource: { aws_iam_role: { r: { name: 'x', assume_role_policy: trust(condition) } } } }) as unknown as StackJson;
    const target = (condition: object) => ({ stack: 's', json: json(condition), maxTokenValiditySec: 86400, requiredTags: [] });
    const ruleIds = (condition: object) => checkPolicies(target(condition)).map((v) => v.rule);
    const aud = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };
    expect(ruleIds({ StringLike: { ...aud, 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } })).toEqual(['IAM-004', 'IAM-005']);
    expect(ruleIds({ StringEquals: { ...aud, 'token.actions.githubusercontent.com:sub': 'repo:o/r:environment:loadlab-*' } })).toEqual([
      'IAM-004',
      'IAM-005',
    ]);
    expect(ruleIds({ StringEquals: aud })).toEqual(['IAM-004', 'IAM-005']);
    expect(ruleIds({ StringEquals: { ...aud, 'token.actions.githubusercontent.com:sub': 'repo:o/r:pull_request' } })).toEqual([]);
  });
});

describe('ci-identities config', () => {
  it('names the field and the fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ci-'));
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...config(), repository: 'no-slash', environments: ['pr-1'] }));
    process.env.LOADLAB_CI_DIR = dir;
    try {
      expect(() => loadCiIdentities('bad')).toThrow(/repository must be owner\/repo[\s\S]*environments/);
    } finally {
      delete process.env.LOADLAB_CI_DIR;
    }
  });
});
