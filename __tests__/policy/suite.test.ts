/**
 * The net under every stack: all policy rules over every resource of every stack of several
 * environments (the example, a PR environment, a FedRAMP-region environment), so a resource
 * added later is checked without anyone remembering to.
 */
import type { TerraformStack } from 'cdktf';
import { checkPolicies, formatViolation, RULES } from '../../lib/policy';
import { REPRESENTATIVE_ENVIRONMENTS, synthEnvironment, synthJson } from '../helpers/env';

describe.each(REPRESENTATIVE_ENVIRONMENTS)('policy suite: %s', (_label, load) => {
  const env = load();
  const { stacks } = synthEnvironment(env);
  const all = [stacks.archive, stacks.genesys, stacks.runners].filter(
    (s): s is NonNullable<typeof s> => s !== undefined,
  ) as TerraformStack[];

  it.each(all.map((s) => [s.node.id, s] as const))('%s passes every rule', (_name, stack) => {
    const json = synthJson(stack);
    const requiredTags = ['project', 'environment', 'stack', 'owner', ...(env.ephemeral ? ['expires-at'] : [])];
    const violations = checkPolicies({
      stack: stack.node.id,
      json,
      maxTokenValiditySec: env.config.genesys.tokenValiditySec.max,
      requiredTags,
    });
    expect(violations.map(formatViolation)).toEqual([]);
    // The suite is not vacuous: the stack has resources for the rules to look at.
    expect(Object.keys(json.resource ?? {}).length).toBeGreaterThan(0);
  });
});

it('runs the rules this suite documents', () => {
  expect(RULES.length).toBeGreaterThanOrEqual(20);
});
