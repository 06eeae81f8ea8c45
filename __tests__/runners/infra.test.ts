import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { exampleInput, loadFrom, repoEnvironment, resourcesOf } from '../helpers/env';
import { runnerClientSlots } from '../../lib/ratelimits';
import { buildRunners, definitionOf, fakeArchive, list, policiesByRole, roleRef, type Statement } from './helpers';

const example = () => buildRunners(repoEnvironment('example'));

describe('runner compute', () => {
  const { synth, json, budget: plan } = example();
  const taskDef = () => Object.values(json.resource!.aws_ecs_task_definition)[0] as Record<string, any>;
  const container = () => JSON.parse(taskDef().container_definitions)[0];

  it('is a Fargate cluster whose default capacity provider follows runners.fargateSpot', () => {
    expect(synth).toHaveResourceWithProperties(EcsCluster, { name: 'loadlab-example-runners' });
    expect(synth).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      capacity_providers: ['FARGATE', 'FARGATE_SPOT'],
      default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
    });
    const input = exampleInput() as any;
    input.runners.fargateSpot = true;
    const spot = buildRunners(loadFrom({ example: input }, 'example'));
    expect(spot.synth).toHaveResourceWithProperties(EcsClusterCapacityProviders, {
      default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT', weight: 1, base: 0 }],
    });
    const run = definitionOf(spot.json).States.RunShards.ItemProcessor.States.RunShard;
    expect(run.Arguments.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
  });

  it('runs the JMeter image from the ECR repository it creates, sized by runners.cpu / memoryMiB', () => {
    expect(synth).toHaveResourceWithProperties(EcrRepository, {
      name: 'loadlab-example/jmeter',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
    });
    expect(taskDef()).toMatchObject({
      family: 'loadlab-example-jmeter',
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: '2048',
      memory: '4096',
    });
    expect(container().image).toMatch(/^\$\{aws_ecr_repository\.[^}]+\.repository_url\}:5\.6\.3$/);
    const input = exampleInput() as any;
    input.runners = { ...input.runners, cpu: 4096, memoryMiB: 8192, imageTag: '5.6.3-plugins2' };
    const big = buildRunners(loadFrom({ example: input }, 'example'));
    const td = Object.values(big.json.resource!.aws_ecs_task_definition)[0] as Record<string, any>;
    expect([td.cpu, td.memory]).toEqual(['4096', '8192']);
    expect(JSON.parse(td.container_definitions)[0].image).toMatch(/:5\.6\.3-plugins2$/);
  });

  it('hardens the container: non-root, read-only root filesystem with volumes for writable paths, no privileges, awslogs', () => {
    const c = container();
    expect(c.user).toBe('10001');
    expect(c.privileged).toBe(false);
    expect(c.readonlyRootFilesystem).toBe(true);
    expect(c.mountPoints.map((m: any) => m.containerPath).sort()).toEqual(['/home/jmeter', '/tmp', '/work']);
    expect(
      taskDef()
        .volume.map((v: any) => v.name)
        .sort(),
    ).toEqual(['home', 'tmp', 'work']);
    expect(c.linuxParameters.capabilities.drop).toEqual(['ALL']);
    expect(c.logConfiguration.logDriver).toBe('awslogs');
    expect(c.logConfiguration.options['awslogs-group']).toMatch(/^\$\{aws_cloudwatch_log_group\./);
    expect(c.environment).toEqual(
      expect.arrayContaining([
        { name: 'GENESYS_API_BASE', value: 'https://api.mypurecloud.com' },
        { name: 'GENESYS_LOGIN_BASE', value: 'https://login.mypurecloud.com' },
      ]),
    );
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/loadlab/example/runners', retention_in_days: 30 });
  });

  it('has no task role of its own: every shard is started with its own role', () => {
    expect(taskDef().task_role_arn).toBeUndefined();
    expect(taskDef().execution_role_arn).toMatch(/aws_iam_role\./);
  });

  it('finds one Secrets Manager secret per runner OAuth client by name, and holds no secret of its own', () => {
    const lookups = Object.values((json.data as Record<string, Record<string, Record<string, unknown>>>).aws_secretsmanager_secret);
    expect(lookups.map((s) => s.name).sort()).toEqual(
      Array.from({ length: plan.runnerClients }, (_, i) => `loadlab/example/runner-${i}`).sort(),
    );
    // The genesys stack writes them (under its own key); nothing here stores or references a value.
    expect(json.resource!.aws_secretsmanager_secret).toBeUndefined();
    expect(json.resource!.aws_secretsmanager_secret_version).toBeUndefined();
    expect(synth).not.toMatch(/"clientSecret"|\.client_secret\}|secret_string/);
  });
});

describe('runner networking', () => {
  it('creates a minimal VPC: two public subnets, an internet gateway and no NAT gateway', () => {
    const { json, synth } = example();
    const types = resourcesOf(json).map(([type]) => type);
    expect(synth).toHaveResourceWithProperties(Vpc, { cidr_block: '10.42.0.0/16' });
    expect(types.filter((t) => t === 'aws_subnet')).toHaveLength(2);
    expect(types).toContain('aws_internet_gateway');
    expect(types).not.toContain('aws_nat_gateway');
    expect(types).not.toContain('aws_eip');
    const routes = Object.values(json.resource!.aws_route_table)[0] as any;
    expect(routes.route).toEqual([
      expect.objectContaining({ cidr_block: '0.0.0.0/0', gateway_id: expect.stringMatching(/aws_internet_gateway/) }),
    ]);
    const dsg = Object.values(json.resource!.aws_default_security_group)[0] as any;
    expect([dsg.ingress, dsg.egress]).toEqual([[], []]);
  });

  it('allows egress on 443 only and no ingress at all', () => {
    const { json } = example();
    const groups = Object.values(json.resource!.aws_security_group) as any[];
    expect(groups).toHaveLength(1);
    expect(groups[0].ingress).toEqual([]);
    expect(groups[0].egress).toHaveLength(1);
    expect(groups[0].egress[0]).toMatchObject({ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: ['0.0.0.0/0'] });
    expect(Object.keys(json.resource!)).not.toContain('aws_security_group_rule');
    expect(Object.keys(json.resource!)).not.toContain('aws_vpc_security_group_ingress_rule');
  });

  it('uses aws.network when given and creates no VPC', () => {
    const input = exampleInput() as any;
    input.aws.network = { vpcId: 'vpc-0abc', subnetIds: ['subnet-01', 'subnet-02', 'subnet-03'] };
    const { json } = buildRunners(loadFrom({ example: input }, 'example'));
    const types = resourcesOf(json).map(([type]) => type);
    expect(types).not.toContain('aws_vpc');
    expect(types).not.toContain('aws_subnet');
    expect((Object.values(json.resource!.aws_security_group)[0] as any).vpc_id).toBe('vpc-0abc');
    const definition = JSON.parse(String((Object.values(json.resource!.aws_sfn_state_machine)[0] as any).definition));
    const run = definition.States.RunShards.ItemProcessor.States.RunShard;
    expect(run.Arguments.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(['subnet-01', 'subnet-02', 'subnet-03']);
  });
});

describe('runner IAM', () => {
  const { json } = example();
  const policies = policiesByRole(json);
  const all = [...policies.values()].flat();

  // The only statements AWS forces onto "*": each has a comment at its definition saying why.
  const STAR_ALLOWED: Record<string, string> = {
    EcrLogin: 'ecr:GetAuthorizationToken has no resource type',
    ListJmeterTasks: 'ecs:ListTasks has no task resource (limited by the ecs:cluster condition)',
    DeliverExecutionLogs: 'Step Functions log delivery APIs have no resource type',
    WriteTraces: 'X-Ray trace submission and sampling rules have no resource type',
  };

  it('never grants a wildcard action', () => {
    for (const s of all)
      for (const a of list(s.Action)) expect({ sid: s.Sid, action: a }).toEqual({ sid: s.Sid, action: expect.not.stringContaining('*') });
  });

  it('uses Resource "*" only where AWS allows nothing narrower', () => {
    const star = all.filter((s) => list(s.Resource).includes('*'));
    expect([...new Set(star.map((s) => s.Sid))].sort()).toEqual(Object.keys(STAR_ALLOWED).sort());
    const listTasks = star.find((s) => s.Sid === 'ListJmeterTasks')!;
    expect(listTasks.Condition).toEqual({ ArnEquals: { 'ecs:cluster': expect.stringMatching(/aws_ecs_cluster/) } });
  });

  it('every shard role reads exactly its own secret, the plan, and writes only its own shard folder of this environment', () => {
    const env = repoEnvironment('example');
    const slots = runnerClientSlots(buildRunners(env).budget);
    const secretIds = Object.entries((json.data as Record<string, Record<string, { name: string }>>).aws_secretsmanager_secret).map(
      ([id, body]) => [id, body.name] as const,
    );
    for (const slot of slots) {
      const statements = policies.get(roleRef(json, `loadlab-example-runner-${slot.index}`))!;
      const secretReads = statements.filter((s) => list(s.Action).includes('secretsmanager:GetSecretValue'));
      expect(secretReads).toHaveLength(1);
      const own = secretIds.find(([, name]) => name === `loadlab/example/runner-${slot.index}`)![0];
      expect(secretReads[0].Resource).toBe(`\${data.aws_secretsmanager_secret.${own}.arn}`);
      const writes = statements.filter((s) => list(s.Action).includes('s3:PutObject'));
      expect(writes.map((s) => s.Resource)).toEqual([
        `arn:aws:s3:::loadlab-example-results-111122223333/results/example_*/shards/${slot.shard}/*`,
      ]);
      const reads = statements.filter((s) => list(s.Action).includes('s3:GetObject'));
      expect(reads.map((s) => s.Resource)).toEqual(['arn:aws:s3:::loadlab-example-results-111122223333/results/example_*/plan/*']);
      expect(statements.some((s) => list(s.Action).some((a) => a.startsWith('s3:Delete')))).toBe(false);
    }
  });

  it('uses the archive key only through S3, in the one form the archive grants write', () => {
    const onKey = all.filter((s) => list(s.Resource).includes(fakeArchive.keyArn) && list(s.Action).some((a) => a.startsWith('kms:')));
    // Shard roles (plan, results) and the report step; secrets use the key through Secrets Manager.
    const viaS3 = onKey.filter((s) => JSON.stringify(s.Condition ?? {}).includes('s3.'));
    expect(viaS3.length).toBeGreaterThan(0);
    for (const s of viaS3) expect(s.Condition).toEqual({ StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } });
    // Client secrets have their own key (the genesys stack's): the archive key serves S3 only.
    expect(onKey.filter((x) => !viaS3.includes(x))).toEqual([]);
  });

  it('the state machine role runs only the JMeter task definition and passes only the runner roles to ECS', () => {
    const sm = policies.get(roleRef(json, 'loadlab-example-loadtest-sfn'))!;
    const run = sm.find((s) => list(s.Action).includes('ecs:RunTask'))!;
    expect(run.Resource).toMatch(/^\$\{aws_ecs_task_definition\.[^}]+\.arn\}$/);
    expect(run.Condition).toEqual({ ArnEquals: { 'ecs:cluster': expect.stringMatching(/aws_ecs_cluster/) } });
    const stop = sm.find((s) => list(s.Action).includes('ecs:StopTask'))!;
    expect(stop.Resource).toBe('arn:aws:ecs:us-east-1:111122223333:task/loadlab-example-runners/*');
    const pass = sm.find((s) => list(s.Action).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    const roleIds = Object.entries(json.resource!.aws_iam_role)
      .filter(([, body]) => /^loadlab-example-runner-(\d+|execution)$/.test(String(body.name)))
      .map(([id]) => `\${aws_iam_role.${id}.arn}`);
    expect(list(pass.Resource).sort()).toEqual(roleIds.sort());
    const events = sm.find((s) => list(s.Action).includes('events:PutRule'))!;
    expect(events.Resource).toBe('arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventsForECSTaskRule');
  });

  it('the execution role pulls only the runners repository and writes only the runners log group', () => {
    const exec = policies.get(roleRef(json, 'loadlab-example-runner-execution'))!;
    const pull = exec.find((s) => list(s.Action).includes('ecr:BatchGetImage'))!;
    expect(pull.Resource).toMatch(/aws_ecr_repository\..*\.arn/);
    expect(exec.find((s) => list(s.Action).includes('logs:PutLogEvents'))!.Resource).toMatch(/aws_cloudwatch_log_group\..*\.arn\}:\*$/);
    expect(exec.some((s) => list(s.Action).includes('secretsmanager:GetSecretValue'))).toBe(false);
  });

  it('ECS and Step Functions roles can only be assumed by their service on behalf of this account', () => {
    const trusts = (Object.values(json.resource!.aws_iam_role) as Record<string, string>[]).map(
      (b) => JSON.parse(b.assume_role_policy).Statement[0],
    );
    const services = trusts.filter((t) => t.Principal.Service !== 'lambda.amazonaws.com');
    expect(services.length).toBe(trusts.length - 1);
    for (const t of services) expect(t.Condition.StringEquals['aws:SourceAccount']).toBe('111122223333');
  });

  it('shard roles trust only tasks of this environment cluster; the state machine role only that state machine', () => {
    const trustOf = (name: string) =>
      JSON.parse((Object.values(json.resource!.aws_iam_role) as Record<string, string>[]).find((r) => r.name === name)!.assume_role_policy)
        .Statement[0];
    const shard = trustOf('loadlab-example-runner-0');
    expect(shard.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(shard.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111122223333' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:task/loadlab-example-runners/*' },
    });
    // The cluster the tasks run on carries that very name.
    expect((Object.values(json.resource!.aws_ecs_cluster) as Record<string, string>[]).map((c) => c.name)).toEqual([
      'loadlab-example-runners',
    ]);
    const sfn = trustOf('loadlab-example-loadtest-sfn');
    expect(sfn.Principal).toEqual({ Service: 'states.amazonaws.com' });
    expect(sfn.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111122223333' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:states:us-east-1:111122223333:stateMachine:loadlab-example-loadtest' },
    });
    expect((Object.values(json.resource!.aws_sfn_state_machine) as Record<string, string>[]).map((m) => m.name)).toEqual([
      'loadlab-example-loadtest',
    ]);
  });

  it('the report step reads and writes only this environment tests (sharing pr-* environments cannot read each other)', () => {
    const report = policies.get(roleRef(json, 'loadlab-example-report-step'))!;
    const writes = report.filter((s: Statement) => list(s.Action).includes('s3:PutObject'));
    expect(writes.flatMap((s) => list(s.Resource))).toEqual([
      'arn:aws:s3:::loadlab-example-results-111122223333/results/example_*/report.json',
      'arn:aws:s3:::loadlab-example-results-111122223333/results/example_*/report.html',
      'arn:aws:s3:::loadlab-example-results-111122223333/results/example_*/junit.xml',
    ]);
    const pr = buildRunners(loadFrom({ example: exampleInput() }, 'pr-7', 'example'));
    const prReport = policiesByRole(pr.json).get(roleRef(pr.json, 'loadlab-pr-7-report-step'))!;
    const reads = report.filter((s: Statement) => list(s.Action).includes('s3:GetObject'));
    expect(reads.flatMap((s) => list(s.Resource))).toEqual(['arn:aws:s3:::loadlab-example-results-111122223333/results/example_*/*']);
    expect(prReport.filter((s) => list(s.Action).includes('s3:PutObject')).flatMap((s) => list(s.Resource))).toEqual([
      'arn:aws:s3:::loadlab-example-results-111122223333/results/pr-7_*/report.json',
      'arn:aws:s3:::loadlab-example-results-111122223333/results/pr-7_*/report.html',
      'arn:aws:s3:::loadlab-example-results-111122223333/results/pr-7_*/junit.xml',
    ]);
  });
});
