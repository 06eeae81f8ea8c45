import { resourcesOf, repoEnvironment, synthEnvironment, synthJson } from '../helpers/env';

describe('the archive stack survives teardown', () => {
  // Synthesize once: the archive stack is the expensive one.
  const { stacks } = synthEnvironment(repoEnvironment('example'));
  const json = synthJson(stacks.archive!);
  const all = resourcesOf(json);

  it.each(['aws_s3_bucket', 'aws_kms_key'])('every %s carries lifecycle.prevent_destroy', (type) => {
    const ofType = all.filter(([t]) => t === type);
    expect(ofType.length).toBeGreaterThan(0);
    for (const [, name, body] of ofType) {
      expect({ name, prevent_destroy: (body.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy }).toEqual({
        name,
        prevent_destroy: true,
      });
    }
  });

  it('no archive bucket can be emptied by Terraform (force_destroy is never true)', () => {
    for (const [, name, body] of all.filter(([t]) => t === 'aws_s3_bucket')) {
      expect({ name, force_destroy: body.force_destroy ?? false }).toEqual({ name, force_destroy: false });
    }
  });
});
