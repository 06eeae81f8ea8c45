import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { CI_GITHUB_ENVIRONMENTS, awsPartitionOf, ciRoleName, githubEnvironmentOf, type CiIdentitiesConfig, type CiRole } from '../config';
import { toPolicyJson, type PolicyStatement } from '../iam/policy';
import { GithubOidcProvider, GithubRole, githubSubject } from './github-oidc';
import { stateStatements, type StateLocation } from './state-access';
import { terraformDestroyStatements, terraformReadStatements, type ActionScope } from './terraform-actions';
import { archiveProtection, deployBoundaryStatements, deployStatements, secretReads, sharedArchiveLookups } from './role-policies';

export interface CiIdentitiesProps {
  readonly config: CiIdentitiesConfig;
}

/**
 * The identities CI assumes in one AWS account, through GitHub's OIDC provider, one role per
 * trust boundary (docs/security.md has the trigger × credential matrix):
 * - `pr-plan`: any same-repository pull request (`sub` = `…:pull_request`); reads only `pr-*`
 *   runners state and the exact calls a plan of those stacks makes; no Genesys state (it holds
 *   OAuth client secrets), no secret values.
 * - `main-plan`: jobs in the `loadlab-plan` environment (main only); reads every state and the
 *   calls a plan makes, Genesys client secrets included (the genesys stack refreshes them).
 * - `deploy`: jobs in `loadlab-<env>` and `loadlab-ephemeral` (main only, reviewers); creates
 *   and destroys the stacks' resources, capped by a permissions boundary.
 * - `teardown`: jobs in `loadlab-teardown` (main only: PR teardown and the janitor); deletes only
 *   `pr-*` resources and is denied every destructive call on archive buckets and keys.
 */
export class CiIdentities extends Construct {
  readonly provider: GithubOidcProvider;
  readonly roles: Record<CiRole, GithubRole>;
  readonly deployBoundary: IamPolicy;

  constructor(scope: Construct, id: string, props: CiIdentitiesProps) {
    super(scope, id);
    const { config } = props;
    const partition = awsPartitionOf(config.aws.region);
    const scope_ = (envGlob: string): ActionScope => ({ partition, region: config.aws.region, accountId: config.aws.accountId, envGlob });
    const state: StateLocation = { partition, ...config.state };
    const repo = config.repository;
    this.provider = new GithubOidcProvider(this, 'github', { create: config.createOidcProvider });

    const role = (name: CiRole, description: string, subjects: string[], boundary?: string) =>
      new GithubRole(this, name, {
        roleName: ciRoleName(name),
        description,
        providerArn: this.provider.arn,
        subjects,
        permissionsBoundaryArn: boundary,
      });
    const grant = (r: GithubRole, statements: readonly PolicyStatement[]) => statements.forEach((s) => r.addToPolicy(s));

    const pr = scope_('pr-*');
    const prPlan = role('pr-plan', 'genesys-loadlab CI: Terraform plans of pr-* runners stacks, from pull requests', [
      githubSubject.pullRequest(repo),
    ]);
    grant(prPlan, [
      // Lists pr-* keys (whether pr-N-genesys is deployed yet) but reads only runners state: genesys state holds client secrets.
      ...stateStatements(state, ['pr-*-runners.tfstate'], 'read', ['pr-*']),
      ...terraformReadStatements(pr),
      ...sharedArchiveLookups(pr),
    ]);

    const all = scope_('*');
    const mainPlan = role('main-plan', 'genesys-loadlab CI: Terraform plans of every environment and the janitor search, from main', [
      githubSubject.environment(repo, CI_GITHUB_ENVIRONMENTS.plan),
    ]);
    grant(mainPlan, [
      ...stateStatements(state, ['*'], 'read'),
      ...terraformReadStatements(all),
      ...sharedArchiveLookups(all),
      ...secretReads(all),
      { sid: 'FindExpiredEnvironments', actions: ['tag:GetResources'], resources: ['*'] },
    ]);

    this.deployBoundary = new IamPolicy(this, 'deploy-boundary', {
      name: `${ciRoleName('deploy')}-boundary`,
      description: 'genesys-loadlab CI: the most the deploy role can ever do, whatever else is attached to it',
      policy: toPolicyJson(deployBoundaryStatements(all)),
    });
    const deploy = role(
      'deploy',
      'genesys-loadlab CI: deploys and named teardowns behind reviewed GitHub environments on main',
      [...config.environments.map(githubEnvironmentOf), CI_GITHUB_ENVIRONMENTS.ephemeral].map((e) => githubSubject.environment(repo, e)),
      this.deployBoundary.arn,
    );
    grant(deploy, [...stateStatements(state, ['*'], 'write'), ...deployStatements(all)]);

    const teardown = role('teardown', 'genesys-loadlab CI: destroys pr-* environments (PR close, janitor), never an archive', [
      githubSubject.environment(repo, CI_GITHUB_ENVIRONMENTS.teardown),
    ]);
    grant(teardown, [
      ...stateStatements(state, ['pr-*'], 'write'),
      ...terraformDestroyStatements(pr),
      ...sharedArchiveLookups(pr),
      ...secretReads(pr),
      ...archiveProtection(all),
    ]);
    this.roles = { 'pr-plan': prPlan, 'main-plan': mainPlan, deploy, teardown };
  }
}
