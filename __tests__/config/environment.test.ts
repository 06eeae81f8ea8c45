import { ConfigError, loadEnvironment, loadSelectedEnvironment, parseEnvironmentFile } from '../../lib/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exampleInput, loadFrom, repoEnvironment, TEST_NOW } from '../helpers/env';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('environment validation', () => {
  it('accepts the example environment and applies defaults', () => {
    const env = repoEnvironment('example');
    expect(env.name).toBe('example');
    expect(env.config.loadProfile.headroomPercent).toBe(20);
    expect(env.config.backend.type).toBe('local');
    expect(env.genesys.apiBase).toBe('https://api.mypurecloud.com');
    expect(env.genesys.awsAccountId).toBe('765628985471');
  });

  it('names the file, the field, the value and the fix', () => {
    const input = exampleInput();
    (input.loadProfile as { shards: number }).shards = 0;
    expect(problemsOf(() => parseEnvironmentFile(input, 'environments/example.json'))).toEqual([
      'environments/example.json: loadProfile.shards must be an integer >= 1 (got 0)',
    ]);
  });

  it('reports every bad field at once', () => {
    const input = exampleInput() as Record<string, any>;
    input.genesys.orgId = 'not-a-uuid';
    input.aws.accountId = '123';
    input.loadProfile.scenarios[0].virtualUsers = 2.5;
    input.loadProfile.scenarios[1].endpoints = [];
    input.colour = 'blue';
    delete input.owner;
    const problems = problemsOf(() => parseEnvironmentFile(input, 'env.json'));
    expect(problems).toEqual(
      expect.arrayContaining([
        'env.json: genesys.orgId must be a UUID such as 3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b (got "not-a-uuid")',
        'env.json: aws.accountId must be a 12-digit AWS account id (got "123")',
        'env.json: loadProfile.scenarios[0].virtualUsers must be an integer (got 2.5)',
        'env.json: loadProfile.scenarios[1].endpoints must have at least 1 item (got [])',
        'env.json: (the file) has unknown key colour: remove it or check the spelling',
        'env.json: owner is required: add a string value',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('rejects wrong types, enums and unknown regions with the allowed values', () => {
    const input = exampleInput() as Record<string, any>;
    input.genesys.region = 'mars-1';
    input.loadProfile.scenarios[0].endpoints[0].method = 'FETCH';
    input.runners.cpu = 3000;
    input.backend = { type: 'gcs' };
    const problems = problemsOf(() => parseEnvironmentFile(input, 'e.json'));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^e\.json: genesys\.region must be a Genesys Cloud region: us-east-1, .* \(got "mars-1"\)$/),
        'e.json: loadProfile.scenarios[0].endpoints[0].method must be one of GET, POST, PUT, PATCH, DELETE (got "FETCH")',
        'e.json: runners.cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (got 3000)',
        'e.json: backend.type must be one of "local", "s3" (got "gcs")',
      ]),
    );
  });

  it('checks fields against each other', () => {
    const input = exampleInput() as Record<string, any>;
    input.genesys.tokenValiditySec = { runner: 7200, worker: 3600, max: 3600 };
    input.loadProfile.scenarios[1].name = input.loadProfile.scenarios[0].name;
    input.archive.transitionToInfrequentAccessDays = 90;
    input.archive.transitionToColdDays = 60;
    const problems = problemsOf(() => parseEnvironmentFile(input, 'e.json'));
    expect(problems).toEqual([
      'e.json: genesys.tokenValiditySec.runner must be <= genesys.tokenValiditySec.max (3600); lower it or raise the maximum (got 7200)',
      'e.json: loadProfile.scenarios[1].name must be unique among the scenarios; rename one of them (got "screen-recording")',
      'e.json: archive.transitionToColdDays must be greater than archive.transitionToInfrequentAccessDays (90) (got 60)',
    ]);
  });

  it('validates the EventBridge suffix and topics', () => {
    const input = exampleInput() as Record<string, any>;
    input.genesys.eventBridge.eventSourceSuffix = 'has spaces!';
    input.genesys.eventBridge.topics = ['conversation.end'];
    const problems = problemsOf(() => parseEnvironmentFile(input, 'e.json'));
    expect(problems).toEqual([
      'e.json: genesys.eventBridge.eventSourceSuffix must be 1-64 characters of letters, digits, ".", "-" or "_" (got "has spaces!")',
      'e.json: genesys.eventBridge.topics[0] must be a Genesys notification topic such as v2.detail.events.conversation.{id}.customer.end (got "conversation.end")',
    ]);
  });

  it('names --env, not LOADLAB_ENV, when the name came from a command flag', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-env-'));
    writeFileSync(path.join(dir, 'example.json'), JSON.stringify(exampleInput()));
    expect(problemsOf(() => loadSelectedEnvironment('staging', { dir }))).toEqual([
      expect.stringMatching(/^--env: no environment staging /),
    ]);
    expect(problemsOf(() => loadSelectedEnvironment('Bad_Name', { dir }))).toEqual([
      expect.stringMatching(/^--env must be 2-24 lower-case/),
    ]);
    const saved = process.env.LOADLAB_ENV;
    process.env.LOADLAB_ENV = 'staging';
    try {
      expect(problemsOf(() => loadSelectedEnvironment(undefined, { dir }))).toEqual([
        expect.stringMatching(/^LOADLAB_ENV: no environment staging /),
      ]);
    } finally {
      if (saved === undefined) delete process.env.LOADLAB_ENV;
      else process.env.LOADLAB_ENV = saved;
    }
    expect(loadSelectedEnvironment('example', { dir, now: TEST_NOW }).name).toBe('example');
  });

  it('explains an unknown environment and invalid JSON', () => {
    expect(problemsOf(() => loadFrom({ example: exampleInput() }, 'staging'))).toEqual([
      expect.stringMatching(
        /^LOADLAB_ENV: no environment staging \(.*staging\.json does not exist; available: example, or pr-<number> for an ephemeral one\); to add it, copy \S*example\.json to \S*staging\.json and set "name": "staging"$/,
      ),
    ]);
    expect(problemsOf(() => loadFrom({}, 'staging'))).toEqual([
      expect.stringMatching(/available: none, .*; to add it, write \S*staging\.json \(fields: docs\/configuration\.md\)$/),
    ]);
    expect(problemsOf(() => loadEnvironment('Bad_Name'))).toEqual([expect.stringMatching(/^LOADLAB_ENV must be 2-24 lower-case/)]);
  });

  it('requires the name inside the file to match the file name', () => {
    expect(problemsOf(() => loadFrom({ staging: exampleInput() }, 'staging'))).toEqual([
      expect.stringMatching(/staging\.json: name must equal the file name "staging" \(got "example"\)$/),
    ]);
  });
});

describe('archive.shareFrom', () => {
  const staging = (edit: (s: Record<string, any>) => void = () => {}): Record<string, any> => {
    const s: Record<string, any> = { ...exampleInput(), name: 'staging', archive: { shareFrom: 'example' } };
    edit(s);
    return s;
  };

  it('uses an owner in the same account, region and org', () => {
    expect(loadFrom({ example: exampleInput(), staging: staging() }, 'staging').archiveOwner).toBe('example');
  });

  it('refuses an owner that does not exist, naming the field and the fix', () => {
    expect(
      problemsOf(() => loadFrom({ example: exampleInput(), staging: staging((s) => (s.archive = { shareFrom: 'prod' })) }, 'staging')),
    ).toEqual([
      expect.stringMatching(
        /staging\.json: archive\.shareFrom names environment prod, but .*prod\.json does not exist \(available: example, staging\); name the environment whose archive stack holds the data, or remove archive\.shareFrom$/,
      ),
    ]);
  });

  it('refuses an owner in another account, region or Genesys org (the lookups and the export role would not match)', () => {
    const other = staging((s) => {
      s.aws = { accountId: '444455556666', region: 'eu-west-1' };
      s.genesys = { ...s.genesys, orgId: '00000000-0000-4000-8000-000000000000' };
    });
    expect(problemsOf(() => loadFrom({ example: exampleInput(), staging: other }, 'staging'))).toEqual([
      expect.stringMatching(
        /staging\.json: aws\.accountId must equal example's \(111122223333\) to use its archive through archive\.shareFrom \(got 444455556666\); use the same value/,
      ),
      expect.stringMatching(/staging\.json: aws\.region must equal example's \(us-east-1\) .*\(got eu-west-1\)/),
      expect.stringMatching(
        /staging\.json: genesys\.orgId must equal example's \(3b4e9a1c-2f0d-4c55-9a7e-1c2d3e4f5a6b\) .*\(got 00000000-0000-4000-8000-000000000000\)/,
      ),
    ]);
  });

  it('refuses an owner that itself shares another archive, naming the one to use', () => {
    const qa = { ...exampleInput(), name: 'qa', archive: { shareFrom: 'staging' } };
    expect(problemsOf(() => loadFrom({ example: exampleInput(), staging: staging(), qa }, 'qa'))).toEqual([
      expect.stringMatching(
        /qa\.json: archive\.shareFrom must name an environment with its own archive, but staging shares example's; set archive\.shareFrom to example$/,
      ),
    ]);
  });
});

describe('ephemeral pr-* environments', () => {
  it('derive from the base, share its archive and expire after the TTL', () => {
    const env = loadFrom({ example: exampleInput() }, 'pr-123', 'example');
    expect(env.name).toBe('pr-123');
    expect(env.stackNames).toEqual({ archive: 'pr-123-archive', genesys: 'pr-123-genesys', runners: 'pr-123-runners' });
    expect(env.archiveOwner).toBe('example');
    expect(env.ephemeral).toEqual({ baseName: 'example', expiresAt: new Date(TEST_NOW.getTime() + 72 * 3600_000).toISOString() });
    expect(env.tags['expires-at']).toBe('2026-11-26T10:00:00.000Z');
    expect(env.genesys.eventSourceSuffix).toBe('loadlab-pr-123');
  });

  it('never share names between two PR environments', () => {
    const a = loadFrom({ example: exampleInput() }, 'pr-1', 'example');
    const b = loadFrom({ example: exampleInput() }, 'pr-2', 'example');
    expect(a.resourcePrefix).not.toBe(b.resourcePrefix);
    expect(a.genesys.eventSourceSuffix).not.toBe(b.genesys.eventSourceSuffix);
    expect(Object.values(a.stackNames)).not.toEqual(expect.arrayContaining(Object.values(b.stackNames)));
  });

  it('fail clearly when the base environment is missing', () => {
    expect(problemsOf(() => loadFrom({ example: exampleInput() }, 'pr-9', 'nope'))).toEqual([
      expect.stringMatching(/^LOADLAB_BASE_ENV: no base environment nope for pr-9/),
    ]);
  });
});

describe('runners: shard capacity and task size', () => {
  const problemsFor = (runners: Record<string, unknown>) => {
    const input = exampleInput() as Record<string, any>;
    input.runners = { fargateSpot: false, ...runners };
    return problemsOf(() => parseEnvironmentFile(input, 'e.json'));
  };

  it('names runners.requestsPerSecondPerVcpu and the fix for a value that is not a rate', () => {
    expect(problemsFor({ requestsPerSecondPerVcpu: 0 })).toEqual([
      'e.json: runners.requestsPerSecondPerVcpu must be requests/s one vCPU of a shard sustains, above 0 and at most 100000; remove it to use the measured default (docs/runners.md, "Shard capacity") (got 0)',
    ]);
  });

  it('names runners.memoryMiB and the sizes Fargate runs for a pair it does not', () => {
    expect(problemsFor({ cpu: 1024, memoryMiB: 1024 })).toEqual([
      'e.json: runners.memoryMiB is not a Fargate size with runners.cpu 1024: Fargate runs cpu 1024 with memoryMiB 2048 to 8192 (steps of 1024); pick one of those, or remove runners.memoryMiB to let the planner pick (got 1024)',
    ]);
  });

  it('asks for runners.cpu with runners.memoryMiB', () => {
    expect(problemsFor({ memoryMiB: 4096 })).toEqual([
      'e.json: runners.memoryMiB needs runners.cpu: set both to fix the task size, or neither to let the planner pick it (got 4096)',
    ]);
  });

  it('accepts every Fargate size and no size at all', () => {
    for (const runners of [{ cpu: 256, memoryMiB: 512 }, { cpu: 16384, memoryMiB: 122880 }, {}]) {
      const input = exampleInput() as Record<string, any>;
      input.runners = { ...input.runners, ...runners };
      expect(() => parseEnvironmentFile(input, 'e.json')).not.toThrow();
    }
  });
});
