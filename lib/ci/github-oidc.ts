import { Construct } from 'constructs';
import { Lazy } from 'cdktf';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { DataAwsIamOpenidConnectProvider } from '@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { toPolicyJson, type IGrantable, type PolicyStatement } from '../iam/policy';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * GitHub's OIDC `sub` claims, in the default format (AWS reads no custom claims, so `sub` is the
 * only claim a trust policy can pin). Each is exact: a trust policy never matches `sub` with a wildcard.
 */
export const githubSubject = {
  pullRequest: (repository: string): string => `repo:${repository}:pull_request`,
  environment: (repository: string, environment: string): string => `repo:${repository}:environment:${environment}`,
} as const;

/** The account's GitHub OIDC identity provider: created here, or found when the account already has one. */
export class GithubOidcProvider extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: { readonly create: boolean }) {
    super(scope, id);
    this.arn = props.create
      ? new IamOpenidConnectProvider(this, 'provider', { url: `https://${GITHUB_OIDC_HOST}`, clientIdList: [GITHUB_OIDC_AUDIENCE] }).arn
      : new DataAwsIamOpenidConnectProvider(this, 'existing', { url: `https://${GITHUB_OIDC_HOST}` }).arn;
  }
}

/** A trust policy: GitHub jobs whose `sub` is exactly one of `subjects`, with our audience. */
export function githubTrustPolicy(providerArn: string, subjects: readonly string[]): string {
  if (subjects.length === 0) throw new Error('a GitHub OIDC role needs at least one subject');
  const wild = subjects.find((s) => /[*?]/.test(s));
  if (wild)
    throw new Error(`GitHub OIDC subject ${JSON.stringify(wild)} has a wildcard; name the exact subject (repo:<owner>/<repo>:<context>)`);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : [...subjects],
          },
        },
      },
    ],
  });
}

export interface GithubRoleProps {
  readonly roleName: string;
  readonly description: string;
  readonly providerArn: string;
  /** Exact `sub` claims that may assume the role. */
  readonly subjects: readonly string[];
  /** A managed policy capping what the role can ever do, whatever is attached later. */
  readonly permissionsBoundaryArn?: string;
  /** Session length; default 1 h (a deploy waits for its reviewers before it assumes the role). */
  readonly maxSessionSec?: number;
}

/** An IAM role a GitHub Actions job assumes through OIDC; statements collect into one inline policy. */
export class GithubRole extends Construct implements IGrantable {
  readonly role: IamRole;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: GithubRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: githubTrustPolicy(props.providerArn, props.subjects),
      maxSessionDuration: props.maxSessionSec ?? 3600,
      permissionsBoundary: props.permissionsBoundaryArn,
    });
    new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: Lazy.stringValue({ produce: () => toPolicyJson(this.statements) }),
    });
    this.node.addValidation({ validate: () => (this.statements.length === 0 ? [`role ${props.roleName} was granted nothing`] : []) });
  }

  get roleArn(): string {
    return this.role.arn;
  }

  get roleName(): string {
    return this.role.name;
  }

  addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}
