import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { tagEverything } from '../../lib/tagging';
import { exampleInput, loadFrom, repoEnvironment, resourcesOf, synthEnvironment, synthJson, type SynthesizedStack } from '../helpers/env';
import { stateKey } from '../../lib/config';
import * as cdktfJson from '../../cdktf.json';
import * as awsPackage from '@cdktf/provider-aws/package.json';

describe('stacks per environment', () => {
  it('creates <env>-archive, <env>-genesys and <env>-runners', () => {
    const { app } = synthEnvironment(repoEnvironment('example'));
    const ids = app.node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id);
    expect(ids).toEqual(['example-archive', 'example-genesys', 'example-runners']);
  });

  it('a pr-* environment shares the base archive and creates no archive stack of its own', () => {
    const { app, stacks } = synthEnvironment(loadFrom({ example: exampleInput() }, 'pr-42', 'example'));
    expect(stacks.archive).toBeUndefined();
    const ids = app.node.children.filter((c) => c instanceof TerraformStack).map((c) => c.node.id);
    expect(ids).toEqual(['pr-42-genesys', 'pr-42-runners']);
  });

  it('references flow archive -> genesys -> runners only (no cycles)', () => {
    const { stacks } = synthEnvironment(repoEnvironment('example'));
    const order = ['example-archive', 'example-genesys', 'example-runners'];
    for (const stack of [stacks.archive!, stacks.genesys, stacks.runners]) {
      for (const dep of stack.dependencies) {
        expect(order.indexOf(dep.node.id)).toBeLessThan(order.indexOf(stack.node.id));
      }
    }
    expect(stacks.archive!.dependencies).toHaveLength(0);
  });
});

describe('state backends', () => {
  it('the example uses a local backend per stack so synth works offline', () => {
    const { stacks } = synthEnvironment(repoEnvironment('example'));
    const json = synthJson(stacks.genesys);
    expect(json.terraform?.backend).toEqual({ local: { path: '../example-genesys/terraform.example-genesys.tfstate' } });
  });

  it('with the local backend, every cross-stack read finds the state file its stack writes', () => {
    const { app } = synthEnvironment(repoEnvironment('example'));
    app.synth();
    // Terraform runs each stack in <outdir>/stacks/<stack>/; relative paths resolve from there.
    const stacksDir = path.join(app.outdir, 'stacks');
    const json = Object.fromEntries(
      readdirSync(stacksDir).map((s) => [s, JSON.parse(readFileSync(path.join(stacksDir, s, 'cdk.tf.json'), 'utf8')) as SynthesizedStack]),
    );
    const written = new Map<string, string>();
    for (const [stack, body] of Object.entries(json)) {
      const { local } = body.terraform?.backend as { local: { path: string } };
      written.set(stack, path.resolve(stacksDir, stack, local.path));
    }
    const reads: string[] = [];
    for (const [stack, body] of Object.entries(json)) {
      const remote = (body.data?.terraform_remote_state ?? {}) as Record<string, { backend: string; config: { path: string } }>;
      for (const [name, read] of Object.entries(remote)) {
        const from = name.replace(/^cross-stack-reference-input-/, '');
        expect(read.backend).toBe('local');
        expect({ reader: stack, file: path.resolve(stacksDir, stack, read.config.path) }).toEqual({
          reader: stack,
          file: written.get(from),
        });
        reads.push(`${stack}<-${from}`);
      }
    }
    // The runners stack reads no genesys state (it holds the OAuth client secrets): it finds the
    // secrets by name, and deploys after the genesys stack through an explicit dependency.
    expect(reads.sort()).toEqual(['example-genesys<-example-archive', 'example-runners<-example-archive']);
    expect(JSON.parse(readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8')).stacks['example-runners'].dependencies.sort()).toEqual([
      'example-archive',
      'example-genesys',
    ]);
  });

  it('an s3 backend is encrypted, locks with use_lockfile and keys state per stack', () => {
    const input = exampleInput() as Record<string, any>;
    input.backend = { type: 's3', bucket: 'acme-tf-state', region: 'eu-west-1', keyPrefix: 'loadlab' };
    const env = loadFrom({ example: input }, 'example');
    const { stacks } = synthEnvironment(env);
    const keys = [stacks.archive!, stacks.genesys, stacks.runners].map((s) => (synthJson(s).terraform?.backend as any).s3);
    for (const backend of keys) {
      expect(backend).toMatchObject({ bucket: 'acme-tf-state', region: 'eu-west-1', encrypt: true, use_lockfile: true });
    }
    expect(keys.map((b) => b.key)).toEqual([
      'loadlab/example-archive.tfstate',
      'loadlab/example-genesys.tfstate',
      'loadlab/example-runners.tfstate',
    ]);
  });

  it('two PR environments never share a state key', () => {
    const input = exampleInput() as Record<string, any>;
    input.backend = { type: 's3', bucket: 'acme-tf-state', region: 'eu-west-1' };
    const a = loadFrom({ example: input }, 'pr-1', 'example');
    const b = loadFrom({ example: input }, 'pr-11', 'example');
    const keysA = Object.values(a.stackNames).map((s) => stateKey(a, s));
    const keysB = Object.values(b.stackNames).map((s) => stateKey(b, s));
    expect(new Set([...keysA, ...keysB]).size).toBe(6);
  });
});

describe('tags', () => {
  it('every taggable AWS resource carries project, environment, stack, owner (and expires-at when ephemeral)', () => {
    const env = loadFrom({ example: exampleInput() }, 'pr-7', 'example');
    const { stacks } = synthEnvironment(env);
    for (const stack of [stacks.genesys, stacks.runners]) {
      const json = synthJson(stack);
      for (const [type, name, body] of resourcesOf(json)) {
        if (!type.startsWith('aws_') || !('tags' in body)) continue;
        expect({ resource: `${type}.${name}`, tags: body.tags }).toEqual({
          resource: `${type}.${name}`,
          tags: expect.objectContaining({
            project: 'genesys-loadlab',
            environment: 'pr-7',
            stack: stack.node.id,
            owner: 'perf-team@example.com',
            'expires-at': env.ephemeral!.expiresAt,
          }),
        });
      }
      const aws = json.provider?.aws?.[0] as { default_tags?: { tags: Record<string, string> }[] } | undefined;
      if (aws)
        expect(aws.default_tags?.[0].tags).toMatchObject({
          project: 'genesys-loadlab',
          environment: 'pr-7',
          'expires-at': env.ephemeral!.expiresAt,
        });
    }
  });

  it('the tagging aspect tags resources and keeps tags a resource sets itself', () => {
    const json = Testing.synthScope((scope) => {
      new AwsProvider(scope, 'aws', { region: 'us-east-1' });
      new S3Bucket(scope, 'plain', { bucket: 'b1' });
      new S3Bucket(scope, 'own', { bucket: 'b2', tags: { owner: 'someone-else' } });
      new DataAwsVpc(scope, 'lookup', { id: 'vpc-0123456789abcdef0' });
      tagEverything(scope, { project: 'genesys-loadlab', owner: 'team' });
    });
    // A data source's tags would filter (or mislabel) the lookup: never tagged.
    expect(JSON.parse(json).data.aws_vpc.lookup).toEqual({ id: 'vpc-0123456789abcdef0' });
    expect(json).toHaveResourceWithProperties(S3Bucket, { bucket: 'b1', tags: { project: 'genesys-loadlab', owner: 'team' } });
    expect(json).toHaveResourceWithProperties(S3Bucket, { bucket: 'b2', tags: { project: 'genesys-loadlab', owner: 'someone-else' } });
  });
});

describe('provider pins', () => {
  it('cdktf.json pins genesyscloud 1.84.1 and the aws version the prebuilt provider was built for', () => {
    expect(cdktfJson.terraformProviders).toContain('mypurecloud/genesyscloud@1.84.1');
    expect(cdktfJson.context.prebuiltProviders['hashicorp/aws'].version).toBe((awsPackage as any).cdktf.provider.version);
  });
});
