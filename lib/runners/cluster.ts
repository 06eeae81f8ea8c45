import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import type { IGrantable } from '../iam/policy';
import { ServiceRole } from '../iam/service-role';
import { awsPartitionOf } from '../config/regions';
import { RUNNER_CONTAINER_NAME, RUNNER_USER, RUNNER_WRITABLE_PATHS, type RunnerNames } from './naming';

export interface RunnerClusterProps {
  readonly names: RunnerNames;
  readonly region: string;
  readonly accountId: string;
  /** Fargate CPU units of one shard (1024 = 1 vCPU). */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Run shards on Fargate Spot (about 70 % cheaper, may be interrupted with two minutes' notice). */
  readonly fargateSpot: boolean;
  /** Tag of the JMeter image in the repository this construct creates. */
  readonly imageTag: string;
  readonly logRetentionDays: number;
  /** Key that encrypts the shards' log group (the archive key; its policy lets CloudWatch Logs use it). */
  readonly logsKmsKeyArn?: string;
  /** Environment every shard gets (never secrets: those come from Secrets Manager at run time). */
  readonly environment: Readonly<Record<string, string>>;
  /** Seconds JMeter gets after SIGTERM to flush and upload its results (Fargate allows 2-120). Default 120. */
  readonly stopTimeoutSec?: number;
  /** Images kept in the repository; older ones expire. Default 10. */
  readonly keepImages?: number;
}

/** How to launch a shard: a Fargate capacity provider strategy (RunTask `CapacityProviderStrategy`). */
export interface LaunchStrategy {
  readonly capacityProvider: 'FARGATE' | 'FARGATE_SPOT';
}

/**
 * The JMeter compute: an ECS cluster (Fargate, optionally Fargate Spot), the ECR repository
 * the image is pushed to, one log group with retention, the execution role (pull that image,
 * write that log group) and one task definition every shard runs.
 *
 * The task definition has no task role on purpose: each shard is started with its own role
 * (RunTask `overrides.taskRoleArn`) that may read only its own OAuth client secret. A task
 * started without that override has no AWS credentials at all.
 */
export class RunnerCluster extends Construct {
  readonly cluster: EcsCluster;
  readonly repository: EcrRepository;
  readonly logGroup: CloudwatchLogGroup;
  readonly executionRole: ServiceRole;
  readonly taskDefinition: EcsTaskDefinition;
  readonly launch: LaunchStrategy;
  /** `arn:…:task/<cluster>/*`: every task of this cluster (StopTask, DescribeTasks, TagResource). */
  readonly taskArnPattern: string;
  readonly containerName = RUNNER_CONTAINER_NAME;

  constructor(scope: Construct, id: string, props: RunnerClusterProps) {
    super(scope, id);
    const { names, region, accountId } = props;
    const partition = awsPartitionOf(region);
    this.cluster = new EcsCluster(this, 'cluster', {
      name: names.cluster,
      // Metrics are only emitted (and billed) while tasks run: nothing is charged while idle.
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    this.launch = { capacityProvider: props.fargateSpot ? 'FARGATE_SPOT' : 'FARGATE' };
    new EcsClusterCapacityProviders(this, 'capacity', {
      clusterName: this.cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: this.launch.capacityProvider, weight: 1, base: 0 }],
    });
    this.taskArnPattern = `arn:${partition}:ecs:${region}:${accountId}:task/${names.cluster}/*`;

    this.repository = new EcrRepository(this, 'repository', {
      name: names.repository,
      // A tag always means the same image: a rebuilt image needs a new runners.imageTag.
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      // SSE-KMS with the account's AWS managed ECR key: KMS audit trail, no key policy to maintain for a
      // repository that lives only as long as the runners stack.
      encryptionConfiguration: [{ encryptionType: 'KMS' }],
      // The runners stack is ephemeral; images are rebuilt from loadtest/Dockerfile in minutes.
      forceDelete: true,
    });
    new EcrLifecyclePolicy(this, 'repository-lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `keep the newest ${props.keepImages ?? 10} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: props.keepImages ?? 10 },
            action: { type: 'expire' },
          },
        ],
      }),
    });

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: names.logGroup,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKmsKeyArn,
    });

    this.executionRole = new ServiceRole(this, 'execution-role', {
      roleName: names.executionRole,
      service: 'ecs-tasks.amazonaws.com',
      description: `Pulls the JMeter image and writes shard logs for ${names.cluster}`,
      sourceAccount: accountId,
    });
    this.executionRole.addToPolicy({
      sid: 'PullJmeterImage',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [this.repository.arn],
    });
    this.executionRole.addToPolicy({
      // ecr:GetAuthorizationToken has no resource type: AWS accepts only "*" for it.
      sid: 'EcrLogin',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    });
    this.executionRole.addToPolicy({
      sid: 'WriteShardLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${this.logGroup.arn}:*`],
    });

    const environment = Object.entries(props.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value }));
    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: names.taskFamily,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: this.executionRole.roleArn,
      // Ephemeral task storage; the only writable paths (see RUNNER_WRITABLE_PATHS).
      volume: Object.keys(RUNNER_WRITABLE_PATHS).map((name) => ({ name })),
      containerDefinitions: JSON.stringify([
        {
          name: RUNNER_CONTAINER_NAME,
          image: `${this.repository.repositoryUrl}:${props.imageTag}`,
          essential: true,
          user: RUNNER_USER,
          privileged: false,
          // JMeter writes only its log, results, caches and Java temp files: those paths are volumes.
          readonlyRootFilesystem: true,
          mountPoints: Object.entries(RUNNER_WRITABLE_PATHS).map(([name, containerPath]) => ({
            sourceVolume: name,
            containerPath,
            readOnly: false,
          })),
          linuxParameters: {
            // An init process forwards SIGTERM to JMeter so a stopped shard still uploads its results.
            initProcessEnabled: true,
            capabilities: { drop: ['ALL'] },
          },
          stopTimeout: props.stopTimeoutSec ?? 120,
          environment,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': this.logGroup.name,
              'awslogs-region': region,
              'awslogs-stream-prefix': 'shard',
              // A slow log pipe must never stall JMeter threads.
              mode: 'non-blocking',
              'max-buffer-size': '8m',
            },
          },
        },
      ]),
    });
  }

  /**
   * Lets a state machine run this task definition on this cluster with `.sync`, stop and
   * describe its tasks, tag them at launch, and pass exactly the execution role and the given
   * task roles to ECS.
   */
  grantRunTasks(grantee: IGrantable, taskRoleArns: readonly string[], region: string, accountId: string): void {
    const partition = awsPartitionOf(region);
    const clusterCondition = { ArnEquals: { 'ecs:cluster': this.cluster.arn } };
    grantee.addToPolicy({
      sid: 'RunJmeterTask',
      actions: ['ecs:RunTask'],
      resources: [this.taskDefinition.arn],
      conditions: clusterCondition,
    });
    grantee.addToPolicy({
      sid: 'ManageJmeterTasks',
      actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
      resources: [this.taskArnPattern],
      conditions: clusterCondition,
    });
    grantee.addToPolicy({
      // ListTasks has no task resource to scope by; the cluster condition limits it to ours.
      sid: 'ListJmeterTasks',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: clusterCondition,
    });
    grantee.addToPolicy({
      sid: 'TagJmeterTasksAtLaunch',
      actions: ['ecs:TagResource'],
      resources: [this.taskArnPattern],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    });
    grantee.addToPolicy({
      sid: 'PassJmeterRoles',
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn, ...taskRoleArns],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    grantee.addToPolicy({
      // The .sync integration learns that a task stopped through this AWS-managed rule.
      sid: 'SyncEcsTaskEvents',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [`arn:${partition}:events:${region}:${accountId}:rule/StepFunctionsGetEventsForECSTaskRule`],
    });
  }
}
