/**
 * The synthesized load-test state machine is valid Amazon States Language — states, transitions,
 * JSONata expressions and ARNs — checked with asl-validator, since Step Functions itself (and a
 * Terraform plan) cannot be reached from here. Checked for every kind of environment.
 */
import aslValidator from 'asl-validator';
import type { Environment } from '../../lib/config';
import { REPRESENTATIVE_ENVIRONMENTS, repoEnvironment, synthEnvironment, synthJson } from '../helpers/env';

function stateMachineDefinition(env: Environment): Record<string, any> {
  const json = synthJson(synthEnvironment(env).stacks.runners);
  const machines = Object.values(json.resource?.aws_sfn_state_machine ?? {});
  expect(machines).toHaveLength(1);
  return JSON.parse(String(machines[0].definition));
}

const validate = (definition: unknown) => aslValidator(definition, { checkPaths: true, checkArn: true });

describe.each(REPRESENTATIVE_ENVIRONMENTS)('state machine of %s', (_name, load) => {
  const definition = stateMachineDefinition(load());

  it('is valid Amazon States Language', () => {
    const result = validate(definition);
    expect(result.errors.map((e) => `${e['Error code']}: ${e.Message}`)).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});

describe('the validator is live', () => {
  const definition = stateMachineDefinition(repoEnvironment('example'));
  const broken = (mutate: (d: Record<string, any>) => void) => {
    const copy = JSON.parse(JSON.stringify(definition));
    mutate(copy);
    return validate(copy);
  };

  it('rejects a transition to a state that does not exist', () => {
    const result = broken((d) => (d.States[d.StartAt].Next = 'NoSuchState'));
    expect(result.isValid).toBe(false);
    expect(result.errors.map((e) => e.Message).join('\n')).toContain('NoSuchState');
  });

  it('rejects a malformed JSONata expression', () => {
    const result = broken((d) => (d.States.Report.Arguments = '{% $states.input. %}'));
    expect(result.isValid).toBe(false);
    expect(result.errors.map((e) => e.Message).join('\n')).toContain('/States/Report/Arguments');
  });
});
