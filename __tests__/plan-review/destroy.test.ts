import { archiveRefusal, DestroyRefused, planDestroy, renderCommand } from '../../commands/teardown/destroy-plan';
import { deployedStacks, stateLocations } from '../../commands/teardown/state';
import { explainAwsError } from '../../commands/teardown/io';
import { exampleInput, loadFrom } from '../helpers/env';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DestroyRefused) return err.message;
    throw err;
  }
  throw new Error('expected DestroyRefused');
};

describe('planDestroy', () => {
  it('destroys runners then genesys, and nothing else', () => {
    const plan = planDestroy({ env: 'example' });
    expect(plan.stacks).toEqual(['example-runners', 'example-genesys']);
    expect(plan.commands).toEqual([
      {
        command: 'npx',
        args: ['cdktf', 'destroy', 'example-runners', 'example-genesys'],
        env: { LOADLAB_ENV: 'example', CHECKPOINT_DISABLE: '1' },
      },
    ]);
  });

  it('adds --auto-approve only with --yes and passes the pr-* derivation inputs on', () => {
    const plan = planDestroy({ env: 'pr-12', autoApprove: true, baseEnv: 'staging', createdAt: '2026-11-23T10:00:00Z' });
    expect(plan.commands[0].args).toEqual(['cdktf', 'destroy', 'pr-12-runners', 'pr-12-genesys', '--auto-approve']);
    expect(plan.commands[0].env).toEqual({
      LOADLAB_ENV: 'pr-12',
      CHECKPOINT_DISABLE: '1',
      LOADLAB_BASE_ENV: 'staging',
      LOADLAB_CREATED_AT: '2026-11-23T10:00:00Z',
    });
    expect(renderCommand(plan.commands[0])).toBe(
      'LOADLAB_ENV=pr-12 CHECKPOINT_DISABLE=1 LOADLAB_BASE_ENV=staging LOADLAB_CREATED_AT=2026-11-23T10:00:00Z npx cdktf destroy pr-12-runners pr-12-genesys --auto-approve',
    );
  });

  it('refuses an archive stack, whichever way it is asked for, and says how to retire one deliberately', () => {
    const message = refusal(() => planDestroy({ env: 'example', stacks: ['example-archive'] }));
    expect(message).toBe(archiveRefusal('example-archive'));
    expect(message).toMatch(/^refusing to destroy example-archive: archive stacks are durable\./);
    expect(message).toContain('npm run destroy -- --env example');
    expect(message).toContain('prevent_destroy');
    expect(refusal(() => planDestroy({ env: 'example', stacks: ['example-runners', 'example-archive'] }))).toMatch(
      /^refusing to destroy example-archive/,
    );
    expect(refusal(() => planDestroy({ env: 'example-archive' }))).toMatch(/^refusing to destroy example-archive/);
    expect(refusal(() => planDestroy({ env: 'pr-3', stacks: ['example-archive'] }))).toMatch(/^refusing to destroy example-archive/);
  });

  it('refuses stacks of another environment and malformed names', () => {
    expect(refusal(() => planDestroy({ env: 'pr-1', stacks: ['pr-2-runners'] }))).toBe(
      '--stack pr-2-runners is not a stack of environment pr-1; choose from pr-1-runners, pr-1-genesys',
    );
    expect(refusal(() => planDestroy({ env: 'Example; rm -rf /' }))).toMatch(/^--env must be an environment name/);
    expect(refusal(() => planDestroy({ env: '' }))).toMatch(/^--env must be an environment name/);
  });

  it('keeps runners-before-genesys order whatever order --stack gives', () => {
    const plan = planDestroy({ env: 'example', stacks: ['example-genesys', 'example-runners'] });
    expect(plan.commands[0].args.slice(2)).toEqual(['example-runners', 'example-genesys']);
  });

  it('refuses genesys alone while runners may still read it, allows it when runners has no state', () => {
    expect(refusal(() => planDestroy({ env: 'example', stacks: ['example-genesys'] }))).toMatch(
      /^--stack example-genesys alone would leave example-runners/,
    );
    const plan = planDestroy({ env: 'example', deployedStacks: ['example-genesys'] });
    expect(plan.stacks).toEqual(['example-genesys']);
    expect(plan.skipped).toEqual(['example-runners']);
    expect(plan.commands[0].args).toEqual(['cdktf', 'destroy', 'example-genesys', '--ignore-missing-stack-dependencies']);
    expect(planDestroy({ env: 'example', stacks: ['example-runners'] }).commands[0].args).toEqual(['cdktf', 'destroy', 'example-runners']);
  });

  it('has nothing to run when nothing is deployed', () => {
    const plan = planDestroy({ env: 'pr-4', deployedStacks: [] });
    expect(plan).toMatchObject({ stacks: [], skipped: ['pr-4-runners', 'pr-4-genesys'], commands: [] });
  });

  it('quotes values a shell would split', () => {
    expect(renderCommand({ command: 'npx', args: ['cdktf', "it's"], env: { A: 'b c' } })).toBe(`A='b c' npx cdktf 'it'\\''s'`);
  });
});

describe('state of a teardown', () => {
  const s3Base = (): Record<string, any> => {
    const input = exampleInput() as Record<string, any>;
    input.backend = { type: 's3', bucket: 'loadlab-tfstate', region: 'us-east-1', keyPrefix: 'loadlab' };
    return input;
  };

  it('looks for each stack at its state key in the s3 backend', async () => {
    const env = loadFrom({ example: s3Base() }, 'pr-5', 'example');
    expect(stateLocations(env, ['pr-5-runners', 'pr-5-genesys'])).toEqual([
      { stack: 'pr-5-runners', where: 's3://loadlab-tfstate/loadlab/pr-5-runners.tfstate' },
      { stack: 'pr-5-genesys', where: 's3://loadlab-tfstate/loadlab/pr-5-genesys.tfstate' },
    ]);
    const asked: string[] = [];
    const found = await deployedStacks(env, ['pr-5-runners', 'pr-5-genesys'], async (bucket, key) => {
      asked.push(`${bucket}/${key}`);
      return key.endsWith('genesys.tfstate');
    });
    expect(asked).toEqual(['loadlab-tfstate/loadlab/pr-5-runners.tfstate', 'loadlab-tfstate/loadlab/pr-5-genesys.tfstate']);
    expect(found).toEqual(['pr-5-genesys']);
  });

  it('looks in the stack folder for the local backend and never calls S3', async () => {
    const env = loadFrom({ example: exampleInput() }, 'example');
    expect(stateLocations(env, ['example-runners'], '/nowhere')).toEqual([
      { stack: 'example-runners', where: '/nowhere/stacks/example-runners/terraform.example-runners.tfstate' },
    ]);
    const found = await deployedStacks(
      env,
      ['example-runners'],
      async () => {
        throw new Error('S3 must not be called for a local backend');
      },
      '/nowhere',
    );
    expect(found).toEqual([]);
  });
});

describe('AWS errors of a teardown or the janitor', () => {
  const sdkError = (name: string, message: string, httpStatusCode?: number): Error =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

  it('no credentials: says how to provide them', () => {
    const err = explainAwsError(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      'tag:GetResources in us-east-1',
    );
    expect((err as Error).message).toBe(
      'tag:GetResources in us-east-1: no AWS credentials found; set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the account, ' +
        'or run it from the workflows, which assume their role through OIDC',
    );
  });

  it('a 403 on a state object names the missing s3:ListBucket (S3 hides a missing key behind 403 without it)', () => {
    const err = explainAwsError(sdkError('Forbidden', '', 403), 's3:HeadObject s3://tf/loadlab/pr-5-runners.tfstate');
    expect((err as Error).message).toMatch(
      /^s3:HeadObject s3:\/\/tf\/loadlab\/pr-5-runners\.tfstate: access denied \(Forbidden\); .*s3:ListBucket on the state bucket/,
    );
  });

  it('a denied tag listing names tag:GetResources', () => {
    const err = explainAwsError(
      sdkError('AccessDeniedException', 'not authorized to perform: tag:GetResources'),
      'tag:GetResources in us-east-1',
    );
    expect((err as Error).message).toMatch(/access denied \(not authorized to perform: tag:GetResources\); give the role tag:GetResources/);
  });

  it('other errors pass through unchanged', () => {
    const original = sdkError('ThrottlingException', 'Rate exceeded', 400);
    expect(explainAwsError(original, 'tag:GetResources in us-east-1')).toBe(original);
  });
});
