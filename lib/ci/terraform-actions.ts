/**
 * The AWS calls Terraform makes on the resources our stacks hold, by service: `read` to refresh
 * them (a plan), `destroy` to delete them (a teardown). The CI roles list these exact actions
 * instead of the managed ReadOnlyAccess policy, which also reads every bucket, log group and
 * Lambda's code. Each service scopes its actions to the environments a role may touch.
 */
import type { PolicyStatement } from '../iam/policy';

/** Where the actions apply: one account and region, and the environments (`pr-*`, or `*` for all). */
export interface ActionScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Glob of environment names: `pr-*` or `*`. */
  readonly envGlob: string;
}

interface ServiceActions {
  /** Statement id stem. */
  readonly sid: string;
  readonly read: readonly string[];
  readonly destroy: readonly string[];
  /** ARNs of the scope's resources of this service; omitted for services scoped by tag only. */
  readonly resources?: (s: ActionScope) => string[];
  /** Services whose ARNs carry no name (EC2, KMS keys): scope by the `environment` tag instead. */
  readonly byTag?: boolean;
}

const arn = (s: ActionScope, service: string, rest: string): string => `arn:${s.partition}:${service}:${s.region}:${s.accountId}:${rest}`;
const prefix = (s: ActionScope): string => `loadlab-${s.envGlob}`;

const SERVICES: readonly ServiceActions[] = [
  {
    sid: 'Iam',
    read: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListRoleTags'],
    destroy: ['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:ListInstanceProfilesForRole'],
    resources: (s) => [`arn:${s.partition}:iam::${s.accountId}:role/${prefix(s)}`],
  },
  {
    sid: 'Logs',
    read: ['logs:ListTagsForResource', 'logs:ListTagsLogGroup'],
    destroy: ['logs:DeleteLogGroup'],
    resources: (s) =>
      [`/aws/lambda/${prefix(s)}`, `/aws/vendedlogs/states/${prefix(s)}`, `/loadlab/${s.envGlob}/*`].flatMap((g) => [
        arn(s, 'logs', `log-group:${g}`),
        arn(s, 'logs', `log-group:${g}:*`),
      ]),
  },
  {
    sid: 'Alarms',
    read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
    destroy: ['cloudwatch:DeleteAlarms'],
    resources: (s) => [arn(s, 'cloudwatch', `alarm:${prefix(s)}`)],
  },
  {
    sid: 'Ecr',
    read: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:GetRepositoryPolicy', 'ecr:ListTagsForResource'],
    destroy: ['ecr:DeleteRepository', 'ecr:DeleteLifecyclePolicy'],
    resources: (s) => [arn(s, 'ecr', `repository/${prefix(s)}/*`)],
  },
  {
    sid: 'Ecs',
    read: ['ecs:DescribeClusters', 'ecs:ListTagsForResource'],
    destroy: ['ecs:DeleteCluster', 'ecs:PutClusterCapacityProviders'],
    resources: (s) => [arn(s, 'ecs', `cluster/${prefix(s)}`), arn(s, 'ecs', `task-definition/${prefix(s)}:*`)],
  },
  {
    sid: 'Events',
    read: ['events:DescribeEventBus', 'events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
    destroy: ['events:DeleteEventBus', 'events:DeleteRule', 'events:RemoveTargets'],
    // The partner event bus is named after the event source: aws.partner/genesys.com/cloud/<org>/<prefix>.
    resources: (s) => [
      arn(s, 'events', `event-bus/aws.partner/genesys.com/cloud/*/${prefix(s)}`),
      arn(s, 'events', `rule/aws.partner/genesys.com/cloud/*/${prefix(s)}/${prefix(s)}`),
    ],
  },
  {
    sid: 'Lambda',
    read: [
      'lambda:GetFunction',
      'lambda:GetFunctionConfiguration',
      'lambda:GetFunctionCodeSigningConfig',
      'lambda:GetFunctionConcurrency',
      'lambda:ListVersionsByFunction',
      'lambda:ListTags',
      'lambda:GetPolicy',
    ],
    destroy: ['lambda:DeleteFunction', 'lambda:DeleteFunctionConcurrency'],
    resources: (s) => [arn(s, 'lambda', `function:${prefix(s)}`)],
  },
  {
    sid: 'EventSourceMappings',
    read: ['lambda:GetEventSourceMapping'],
    destroy: ['lambda:DeleteEventSourceMapping'],
    byTag: true,
  },
  {
    sid: 'Secrets',
    read: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
    destroy: ['secretsmanager:DeleteSecret', 'secretsmanager:DeleteResourcePolicy'],
    resources: (s) => [arn(s, 'secretsmanager', `secret:loadlab/${s.envGlob}/*`)],
  },
  {
    sid: 'Queues',
    read: ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
    destroy: ['sqs:DeleteQueue'],
    resources: (s) => [arn(s, 'sqs', prefix(s))],
  },
  {
    sid: 'StateMachines',
    read: ['states:DescribeStateMachine', 'states:ListTagsForResource'],
    destroy: ['states:DeleteStateMachine'],
    resources: (s) => [arn(s, 'states', `stateMachine:${prefix(s)}`)],
  },
  {
    sid: 'Keys',
    read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
    destroy: ['kms:ScheduleKeyDeletion', 'kms:DeleteAlias'],
    byTag: true,
  },
  {
    // Deleting an alias needs the alias and its key; aliases carry no tags, so by name.
    sid: 'KeyAliases',
    read: [],
    destroy: ['kms:DeleteAlias'],
    resources: (s) => [arn(s, 'kms', `alias/${prefix(s)}-*`)],
  },
  {
    sid: 'Network',
    read: [],
    destroy: [
      'ec2:DeleteVpc',
      'ec2:DeleteSubnet',
      'ec2:DeleteRouteTable',
      'ec2:DisassociateRouteTable',
      'ec2:DeleteInternetGateway',
      'ec2:DetachInternetGateway',
      'ec2:DeleteSecurityGroup',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
    ],
    byTag: true,
  },
];

/** Reads with no resource type (AWS allows only `Resource: "*"` for them). */
export const UNSCOPED_READS: readonly string[] = [
  'ec2:DescribeVpcs',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeTags',
  'ecs:DescribeTaskDefinition',
  'kms:ListAliases',
  'logs:DescribeLogGroups',
];

/** Deletes with no resource type. */
export const UNSCOPED_DESTROYS: readonly string[] = ['ecs:DeregisterTaskDefinition'];

/** The ARN-less resources of a scope: everything tagged with one of its environments. */
const tagged = (s: ActionScope): PolicyStatement['conditions'] => ({ StringLike: { 'aws:ResourceTag/environment': s.envGlob } });

function statementsFor(kind: 'read' | 'destroy', scope: ActionScope): PolicyStatement[] {
  const verb = kind === 'read' ? 'Read' : 'Destroy';
  const scoped = SERVICES.filter((svc) => svc[kind].length > 0).map((svc): PolicyStatement =>
    svc.byTag
      ? { sid: `${verb}${svc.sid}`, actions: svc[kind], resources: byTagResources(svc.sid, scope), conditions: tagged(scope) }
      : { sid: `${verb}${svc.sid}`, actions: svc[kind], resources: svc.resources!(scope) },
  );
  const unscoped = kind === 'read' ? UNSCOPED_READS : UNSCOPED_DESTROYS;
  // These actions define no resource type, so AWS accepts only "*" (lib/policy/rules/iam.ts lists them).
  return [...scoped, { sid: `${verb}WithoutResourceType`, actions: unscoped, resources: ['*'] }];
}

function byTagResources(sid: string, s: ActionScope): string[] {
  if (sid === 'Keys') return [arn(s, 'kms', 'key/*')];
  if (sid === 'EventSourceMappings') return [arn(s, 'lambda', 'event-source-mapping:*')];
  return ['vpc', 'subnet', 'route-table', 'internet-gateway', 'security-group'].map((t) => arn(s, 'ec2', `${t}/*`));
}

/** What a plan of the scope's stacks reads. */
export const terraformReadStatements = (scope: ActionScope): PolicyStatement[] => statementsFor('read', scope);

/** What a teardown of the scope's stacks deletes (and reads first). */
export const terraformDestroyStatements = (scope: ActionScope): PolicyStatement[] => [
  ...statementsFor('read', scope),
  ...statementsFor('destroy', scope),
];
