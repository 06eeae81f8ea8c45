/**
 * Every log group of the runners stack is encrypted with the environment's pipeline key, and the
 * key policy lets CloudWatch Logs use the key for exactly those log groups: a log group whose name
 * the policy's patterns miss could not be created.
 */
import { REPRESENTATIVE_ENVIRONMENTS, resourcesOf, synthEnvironment, synthJson } from '../helpers/env';

/** An IAM `ArnLike` pattern (`*` any run, `?` one character) as a regular expression. */
const arnLike = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

describe.each(REPRESENTATIVE_ENVIRONMENTS)('log group encryption: %s', (_label, load) => {
  const env = load();
  const json = synthJson(synthEnvironment(env).stacks.runners);
  const resources = resourcesOf(json);
  const keys = resources.filter(([type]) => type === 'aws_kms_key');
  const groups = resources.filter(([type]) => type === 'aws_cloudwatch_log_group');

  it('encrypts every log group with the pipeline key', () => {
    expect(keys).toHaveLength(1);
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (const [, name, body] of groups) expect({ name, kms: body.kms_key_id }).toEqual({ name, kms: `\${aws_kms_key.${keys[0][1]}.arn}` });
  });

  it('lets CloudWatch Logs use the key for these log groups only', () => {
    const policy = JSON.parse(keys[0][2].policy as string) as { Statement: Record<string, any>[] };
    const logs = policy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryptsEnvironmentLogs')!;
    const { region, accountId } = env.config.aws;
    expect(logs.Principal).toEqual({ Service: `logs.${region}.amazonaws.com` });
    expect(logs.Action).not.toContain('kms:*');
    const patterns = logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'] as string[];
    for (const p of patterns) {
      expect(p.startsWith(`arn:aws:logs:${region}:${accountId}:log-group:`)).toBe(true);
      expect(p).toContain(env.name);
    }
    for (const [, , body] of groups) {
      const arn = `arn:aws:logs:${region}:${accountId}:log-group:${body.name as string}`;
      expect({ arn, allowed: patterns.some((p) => arnLike(p).test(arn)) }).toEqual({ arn, allowed: true });
    }
    // Another environment's log groups are not covered.
    const other = `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/loadlab-${env.name}x-metadata-worker`;
    expect(patterns.some((p) => arnLike(p).test(other))).toBe(false);
  });
});
