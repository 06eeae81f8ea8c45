import { Testing } from 'cdktf';
import { loadEnvironment } from '../../lib/config';
import { stateKey } from '../../lib/config';
import { exampleInput, loadFrom, synthEnvironment, synthJson, TEST_NOW } from '../helpers/env';

/** The example with an s3 backend, as CI needs it (a local backend would lose state between runs). */
function s3Example(): Record<string, any> {
  const input = exampleInput() as Record<string, any>;
  input.backend = { type: 's3', bucket: 'loadlab-tfstate', region: 'us-east-1', keyPrefix: 'genesys-loadlab' };
  return input;
}

describe('per-PR environments', () => {
  it('two PR environments never share a stack name, a resource prefix, an event source or a state key', () => {
    const names = ['pr-1', 'pr-2', 'pr-10', 'pr-12'];
    const envs = names.map((n) => loadFrom({ example: s3Example() }, n, 'example'));
    const keys = envs.flatMap((e) => [e.stackNames.genesys, e.stackNames.runners].map((s) => stateKey(e, s)));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('genesys-loadlab/pr-1-genesys.tfstate');
    const stackNames = envs.flatMap((e) => Object.values(e.stackNames));
    expect(new Set(stackNames).size).toBe(stackNames.length);
    expect(new Set(envs.map((e) => e.resourcePrefix)).size).toBe(envs.length);
    expect(new Set(envs.map((e) => e.genesys.eventSourceSuffix)).size).toBe(envs.length);
    // ... and none collides with the base environment's own state.
    const base = loadFrom({ example: s3Example() }, 'example');
    for (const s of Object.values(base.stackNames)) expect(keys).not.toContain(stateKey(base, s));
  });

  it('writes its own state key into the synthesized backend of each stack', () => {
    const { stacks } = synthEnvironment(loadFrom({ example: s3Example() }, 'pr-3', 'example'));
    expect(stacks.archive).toBeUndefined();
    for (const stack of [stacks.genesys, stacks.runners]) {
      const s3 = (synthJson(stack).terraform as any).backend.s3;
      expect(s3).toMatchObject({ bucket: 'loadlab-tfstate', key: `genesys-loadlab/${stack.node.id}.tfstate`, encrypt: true });
    }
  });

  it('keeps expires-at stable across pushes when LOADLAB_CREATED_AT is the PR creation time', () => {
    const created = '2026-11-20T08:15:00Z';
    const at = (now: string): string | undefined => {
      const saved = process.env.LOADLAB_CREATED_AT;
      process.env.LOADLAB_CREATED_AT = created;
      try {
        // `now` differs per push; the env var wins, so the tag does not move.
        jest.useFakeTimers({ now: new Date(now) });
        return loadEnvironment('pr-44', { baseName: 'example' }).tags['expires-at'];
      } finally {
        jest.useRealTimers();
        if (saved === undefined) delete process.env.LOADLAB_CREATED_AT;
        else process.env.LOADLAB_CREATED_AT = saved;
      }
    };
    expect(at('2026-11-20T09:00:00Z')).toBe('2026-11-23T08:15:00.000Z');
    expect(at('2026-11-22T17:40:00Z')).toBe('2026-11-23T08:15:00.000Z');
  });

  it('derives expires-at from the base ttlHours and tags every runners resource with it', () => {
    const input = exampleInput() as Record<string, any>;
    input.ephemeral = { ttlHours: 8 };
    const env = loadFrom({ example: input }, 'pr-5', 'example');
    expect(env.tags['expires-at']).toBe(new Date(TEST_NOW.getTime() + 8 * 3_600_000).toISOString());
    const { stacks } = synthEnvironment(env);
    const provider = (synthJson(stacks.runners).provider as any).aws[0];
    expect(provider.default_tags[0].tags).toMatchObject({
      'expires-at': '2026-11-23T18:00:00.000Z',
      environment: 'pr-5',
      project: 'genesys-loadlab',
    });
    expect(Testing.synth(stacks.runners)).toContain('"expires-at"');
  });
});
