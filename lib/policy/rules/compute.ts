/** Compute and network rules: queue-fed Lambdas dead-letter, logs retained, supported runtimes, unprivileged tasks, nothing idle or open. */
import { NODE_RUNTIME_DEPRECATION } from '../../lambda/runtime';
import { attachedTo, refersTo, resources, strings, type Resource } from '../terraform-json';
import type { PolicyRule } from '../types';
import { violation } from './violation';

/** A queue's dead-letter queue: an inline redrive_policy or an aws_sqs_queue_redrive_policy resource. */
export function hasDeadLetterQueue(json: { resource?: unknown }, queue: Resource): boolean {
  const inline = queue.body.redrive_policy;
  if (typeof inline === 'string' && inline.trim() !== '') return true;
  return attachedTo(json, 'aws_sqs_queue_redrive_policy', 'queue_url', queue).length > 0;
}

export const COMPUTE_RULES: readonly PolicyRule[] = [
  {
    id: 'SQS-002',
    reason: 'An event that fails repeatedly lands in a dead-letter queue instead of being lost or retried forever.',
    guidance: 'AWS Lambda with SQS: configure a dead-letter queue on the source queue',
    check: (t) => {
      const queues = resources(t.json, 'aws_sqs_queue');
      return resources(t.json, 'aws_lambda_event_source_mapping').flatMap((m) =>
        queues
          .filter((q) => refersTo(m.body.event_source_arn, q))
          .filter((q) => !hasDeadLetterQueue(t.json, q))
          .map((q) =>
            violation(
              'SQS-002',
              t,
              q,
              `feeds ${m.address} but has no dead-letter queue`,
              'set redrive_policy with deadLetterTargetArn and maxReceiveCount <= 5',
            ),
          ),
      );
    },
  },
  {
    id: 'LAMBDA-002',
    reason: 'Function logs have a retention so they neither vanish nor grow forever.',
    guidance: 'AWS Lambda: create the log group with a retention before the function',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) => {
        const expected = `/aws/lambda/${String(f.body.function_name)}`;
        const groups = resources(t.json, 'aws_cloudwatch_log_group');
        const configured = (f.body.logging_config as { log_group?: string } | undefined)?.log_group;
        const match = groups.find((g) => g.body.name === expected || (configured !== undefined && refersTo(configured, g)));
        if (match && typeof match.body.retention_in_days === 'number') return [];
        return [
          violation(
            'LAMBDA-002',
            t,
            f,
            `has no log group ${expected} with a retention`,
            'create the log group with retention_in_days (NodeFunction does)',
          ),
        ];
      }),
  },
  {
    id: 'LAMBDA-004',
    reason: 'Functions run on a Node.js runtime AWS still supports: a deprecated one cannot be created, so a fresh deploy fails.',
    guidance: 'AWS Lambda developer guide: Lambda runtimes, deprecation dates (NODE_RUNTIME_DEPRECATION)',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) => {
        const runtime = String(f.body.runtime ?? '');
        const deprecated = NODE_RUNTIME_DEPRECATION[runtime];
        const today = (t.now ?? new Date()).toISOString().slice(0, 10);
        if (deprecated !== undefined && deprecated > today) return [];
        const supported = Object.entries(NODE_RUNTIME_DEPRECATION)
          .filter(([, day]) => day > today)
          .map(([r]) => r);
        return [
          violation(
            'LAMBDA-004',
            t,
            f,
            deprecated ? `runs ${runtime}, deprecated since ${deprecated}` : `runs ${runtime || 'no runtime'}, not a known Node.js runtime`,
            `use ${supported.join(' or ') || 'a supported Node.js runtime'} (LAMBDA_RUNTIME in lib/lambda/runtime.ts)`,
          ),
        ];
      }),
  },
  {
    id: 'LAMBDA-005',
    reason: "A function's environment is encrypted with a customer-managed key, so who may read it is decided by a key policy of ours.",
    guidance: 'AWS Lambda developer guide: securing environment variables (kms_key_arn)',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) => {
        const variables = (f.body.environment as { variables?: Record<string, unknown> } | undefined)?.variables;
        if (!variables || Object.keys(variables).length === 0 || f.body.kms_key_arn) return [];
        return [
          violation(
            'LAMBDA-005',
            t,
            f,
            'has environment variables but no kms_key_arn',
            "set NodeFunction's kmsKeyArn to the environment's key and grant the function kms:Decrypt on it",
          ),
        ];
      }),
  },
  {
    id: 'ECS-001',
    reason: 'Load generators run unprivileged, read-only where possible, with logs.',
    guidance: 'Amazon ECS best practices: task definition security (privileged, readonlyRootFilesystem, logConfiguration)',
    check: (t) =>
      resources(t.json, 'aws_ecs_task_definition').flatMap((td) => {
        let containers: {
          name?: string;
          privileged?: boolean;
          readonlyRootFilesystem?: boolean;
          logConfiguration?: { logDriver?: string };
        }[];
        try {
          containers = JSON.parse(String(td.body.container_definitions));
        } catch {
          return [
            violation('ECS-001', t, td, 'has container definitions that are not JSON', 'render container_definitions with JSON.stringify'),
          ];
        }
        return containers.flatMap((c) => [
          ...(c.privileged ? [violation('ECS-001', t, td, `container ${c.name} is privileged`, 'remove privileged')] : []),
          ...(c.readonlyRootFilesystem !== true
            ? [
                violation(
                  'ECS-001',
                  t,
                  td,
                  `container ${c.name} has a writable root filesystem`,
                  'set readonlyRootFilesystem and mount volumes for the paths it writes',
                ),
              ]
            : []),
          ...(!c.logConfiguration?.logDriver
            ? [
                violation(
                  'ECS-001',
                  t,
                  td,
                  `container ${c.name} has no log configuration`,
                  'set logConfiguration (awslogs) to the runners log group',
                ),
              ]
            : []),
        ]);
      }),
  },
  {
    id: 'NET-001',
    reason: 'Nothing costs money while idle: no NAT gateway.',
    guidance: 'genesys-loadlab cost policy; Amazon VPC pricing (NAT gateways bill per hour)',
    check: (t) =>
      resources(t.json, 'aws_nat_gateway').map((n) =>
        violation('NET-001', t, n, 'is a NAT gateway', 'run tasks in public subnets with public IPs and egress-only security groups'),
      ),
  },
  {
    id: 'NET-002',
    reason: 'Nothing accepts inbound traffic from the internet.',
    guidance: 'AWS security groups: restrict ingress; CIS AWS Foundations 5.2',
    check: (t) => {
      const open = (cidrs: unknown): boolean => [...strings(cidrs)].some((c) => c.value.includes('0.0.0.0/0') || c.value.includes('::/0'));
      return [
        ...resources(t.json, 'aws_security_group').filter((sg) =>
          ((sg.body.ingress as { cidr_blocks?: unknown; ipv6_cidr_blocks?: unknown }[]) ?? []).some(
            (i) => open(i.cidr_blocks) || open(i.ipv6_cidr_blocks),
          ),
        ),
        ...resources(t.json, 'aws_vpc_security_group_ingress_rule').filter((r) => open(r.body.cidr_ipv4) || open(r.body.cidr_ipv6)),
        ...resources(t.json, 'aws_security_group_rule').filter(
          (r) => r.body.type === 'ingress' && (open(r.body.cidr_blocks) || open(r.body.ipv6_cidr_blocks)),
        ),
      ].map((r) => violation('NET-002', t, r, 'allows ingress from anywhere', 'remove the ingress rule (runners need egress only)'));
    },
  },
];
