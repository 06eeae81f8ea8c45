import { resources, type Resource, type StackJson } from './terraform-json';

export interface IamStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
export const actionsOf = (s: IamStatement): string[] => asList(s.Action);
export const resourcesOfStatement = (s: IamStatement): string[] => asList(s.Resource);

/** Parses a policy document string; undefined when it is not JSON (e.g. a data source reference). */
export function parsePolicy(doc: unknown): IamStatement[] | undefined {
  if (typeof doc !== 'string') return undefined;
  try {
    const parsed = JSON.parse(doc) as { Statement?: IamStatement | IamStatement[] };
    if (!parsed.Statement) return [];
    return Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  } catch {
    return undefined;
  }
}

/** Every IAM policy document in a stack, with where it lives. */
export function iamPolicies(
  json: StackJson,
): { resource: Resource; kind: 'identity' | 'resource' | 'trust' | 'key'; statements: IamStatement[] | undefined }[] {
  const out: ReturnType<typeof iamPolicies> = [];
  for (const r of resources(json)) {
    if (
      r.type === 'aws_iam_role_policy' ||
      r.type === 'aws_iam_policy' ||
      r.type === 'aws_iam_user_policy' ||
      r.type === 'aws_iam_group_policy'
    ) {
      out.push({ resource: r, kind: 'identity', statements: parsePolicy(r.body.policy) });
    } else if (r.type === 'aws_iam_role') {
      out.push({ resource: r, kind: 'trust', statements: parsePolicy(r.body.assume_role_policy) });
      for (const inline of (r.body.inline_policy as { policy?: string }[] | undefined) ?? []) {
        out.push({ resource: r, kind: 'identity', statements: parsePolicy(inline.policy) });
      }
    } else if (r.type === 'aws_kms_key') {
      if (r.body.policy !== undefined) out.push({ resource: r, kind: 'key', statements: parsePolicy(r.body.policy) });
    } else if (
      [
        'aws_s3_bucket_policy',
        'aws_sqs_queue_policy',
        'aws_secretsmanager_secret_policy',
        'aws_cloudwatch_event_bus_policy',
        'aws_ecr_repository_policy',
      ].includes(r.type)
    ) {
      out.push({ resource: r, kind: 'resource', statements: parsePolicy(r.body.policy) });
    }
  }
  return out;
}
