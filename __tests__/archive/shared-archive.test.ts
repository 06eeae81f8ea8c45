import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { archiveNames, type ArchiveRefs } from '../../lib/archive/refs';
import { archiveRefsFor } from '../../lib/archive/shared-archive';
import { planBudget } from '../../lib/ratelimits';
import { ArchiveStack } from '../../stacks/archive-stack';
import { exampleInput, loadFrom, repoEnvironment, synthJson } from '../helpers/env';

function consumerStack() {
  const stack = new TerraformStack(Testing.app(), 'consumer');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return stack;
}

describe('archiveRefsFor', () => {
  it('returns the archive stack refs when they are provided', () => {
    const env = repoEnvironment('example');
    const archive = new ArchiveStack(Testing.app(), { env, budget: planBudget(env.config) });
    const stack = consumerStack();
    expect(archiveRefsFor(stack, env, archive.refs)).toBe(archive.refs);
    expect(synthJson(stack).data).toBeUndefined();
  });

  it('a pr-* environment looks the base archive up by its deterministic names, with data sources only', () => {
    const env = loadFrom({ example: exampleInput() }, 'pr-42', 'example');
    const stack = consumerStack();
    const refs = archiveRefsFor(stack, env);
    new TerraformOutput(stack, 'refs', { value: refs });
    const json = synthJson(stack);
    const names = archiveNames('example', '111122223333');
    const data = json.data!;
    expect(
      Object.values(data.aws_s3_bucket)
        .map((b) => b.bucket)
        .sort(),
    ).toEqual([names.recordingsBucket, names.resultsBucket, names.analyticsBucket].sort());
    expect(Object.values(data.aws_kms_alias).map((a) => a.name)).toEqual(['alias/loadlab-example-archive']);
    expect(Object.values(data.aws_iam_role).map((r) => r.name)).toEqual(['loadlab-example-genesys-recording-export']);
    expect(json.resource).toBeUndefined();
    const value = json.output!.refs.value as Record<string, any>;
    expect(value.keyArn).toMatch(/^\$\{data\.aws_kms_alias\.[^.]+\.target_key_arn\}$/);
    expect(value.recordings.arn).toMatch(/^\$\{data\.aws_s3_bucket\.[^.]*recordings[^.]*\.arn\}$/);
    expect(value.results.name).toMatch(/^\$\{data\.aws_s3_bucket\.[^.]*results[^.]*\.bucket\}$/);
    expect(value.exportRoleArn).toMatch(/^\$\{data\.aws_iam_role\.[^.]+\.arn\}$/);
  });

  it('looks up once per stack however many constructs ask', () => {
    const env = loadFrom({ example: exampleInput() }, 'pr-7', 'example');
    const stack = consumerStack();
    const a: ArchiveRefs = archiveRefsFor(stack, env);
    // A construct deeper in the same stack gets the same lookup.
    expect(archiveRefsFor(new Construct(new Construct(stack, 'pipeline'), 'worker'), env)).toBe(a);
    expect(archiveRefsFor(stack, env)).toBe(a);
    expect(Object.keys(synthJson(stack).data!.aws_s3_bucket)).toHaveLength(3);
  });

  it('an environment with archive.shareFrom uses the named environment (same account)', () => {
    const staging = { ...exampleInput(), name: 'staging', archive: { shareFrom: 'example' } };
    const env = loadFrom({ example: exampleInput(), staging }, 'staging');
    const stack = consumerStack();
    archiveRefsFor(stack, env);
    expect(Object.values(synthJson(stack).data!.aws_kms_alias).map((a) => a.name)).toEqual(['alias/loadlab-example-archive']);
  });

  it('refuses to guess when the environment has its own archive and no refs are passed', () => {
    expect(() => archiveRefsFor(consumerStack(), repoEnvironment('example'))).toThrow(
      "archiveRefsFor(example): the environment has its own archive (archive.shareFrom is unset); pass the archive stack's refs",
    );
  });
});
