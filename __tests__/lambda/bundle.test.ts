import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { bundleHandler } from '../../lib/lambda/bundle';
import { BUNDLE_TARGET, LAMBDA_RUNTIME } from '../../lib/lambda/runtime';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** The version npm installed, from the package's own package.json. */
const installed = (name: string): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

describe('Lambda bundles', () => {
  it('target the runtime the functions are deployed on', () => {
    expect(LAMBDA_RUNTIME).toBe('nodejs24.x');
    expect(BUNDLE_TARGET).toBe(`node${LAMBDA_RUNTIME.match(/^nodejs(\d+)\.x$/)![1]}`);
  });

  it('carry the pinned AWS SDK inside: the bundle runs from a folder with no node_modules', () => {
    const bundle = path.join(bundleHandler(path.join(__dirname, 'fixtures', 'sdk-version.ts')).dir, 'index.js');
    const code = readFileSync(bundle, 'utf8');
    const sdkRequires = [...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]);
    // Only the optional CRT signer (SigV4a, tried inside try/catch) is left out.
    expect([...new Set(sdkRequires)]).toEqual(['@aws-sdk/signature-v4-crt']);

    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-bundle-'));
    try {
      copyFileSync(bundle, path.join(dir, 'index.js'));
      const out = execFileSync(
        process.execPath,
        ['-e', "require('./index.js').handler().then((r) => process.stdout.write(JSON.stringify(r)))"],
        { cwd: dir, env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, encoding: 'utf8' },
      );
      expect(JSON.parse(out)).toEqual({ sdk: installed('@aws-sdk/client-s3'), node: process.version });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('use one aligned, exactly pinned AWS SDK version for every client', () => {
    const clients = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@aws-sdk/client-'));
    expect(clients.length).toBeGreaterThan(0);
    const versions = new Set(clients.map(([, version]) => version));
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(/^\d+\.\d+\.\d+$/);
    for (const [name] of clients) {
      expect({ name, version: installed(name) }).toEqual({ name, version: [...versions][0] });
    }
  });
});
