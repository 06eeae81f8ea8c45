import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { BUNDLE_OPTIONS, bundleHandler, bundleKey } from '../../lib/lambda/bundle';
import { crc32 } from '../../lib/lambda/zip';

/** The files of a zip, read through its central directory, each checked against its CRC. */
function unzip(zip: Buffer): Record<string, string> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = inflateRawSync(zip.subarray(dataAt, dataAt + size));
    expect(crc32(data)).toBe(crc);
    files[name] = data.toString('utf8');
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return files;
}

describe('Lambda bundle cache', () => {
  let work: string;
  let entry: string;
  const previous = process.env.LOADLAB_BUNDLE_CACHE;

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'bundle-cache-'));
    process.env.LOADLAB_BUNDLE_CACHE = path.join(work, 'cache');
    mkdirSync(path.join(work, 'src', 'lib'), { recursive: true });
    entry = path.join(work, 'src', 'index.ts');
    writeFileSync(entry, "import { greeting } from './lib/greeting';\nexport const handler = async () => greeting;\n");
    writeFileSync(path.join(work, 'src', 'lib', 'greeting.ts'), "export const greeting = 'hello';\n");
  });

  afterEach(() => {
    if (previous === undefined) delete process.env.LOADLAB_BUNDLE_CACHE;
    else process.env.LOADLAB_BUNDLE_CACHE = previous;
    rmSync(work, { recursive: true, force: true });
  });

  it('zips index.js deterministically and serves an unchanged handler from the cache', () => {
    const first = bundleHandler(entry);
    expect(first.cached).toBe(false);
    const files = unzip(readFileSync(first.zipFile));
    expect(Object.keys(files)).toEqual(['index.js']);
    expect(files['index.js']).toBe(readFileSync(path.join(first.dir, 'index.js'), 'utf8'));
    expect(files['index.js']).toContain('"hello"');

    const second = bundleHandler(entry);
    expect(second).toEqual({ ...first, cached: true });
    expect(second.zipSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    // A cold cache builds the same bytes: no timestamps in the zip.
    process.env.LOADLAB_BUNDLE_CACHE = path.join(work, 'other-cache');
    const cold = bundleHandler(entry);
    expect(cold.cached).toBe(false);
    expect(cold.zipSha256).toBe(first.zipSha256);
  });

  it('rebuilds when a file the handler imports changes', () => {
    const first = bundleHandler(entry);
    writeFileSync(path.join(work, 'src', 'lib', 'greeting.ts'), "export const greeting = 'changed';\n");
    const second = bundleHandler(entry);
    expect(second.cached).toBe(false);
    expect(second.key).not.toBe(first.key);
    expect(second.zipSha256).not.toBe(first.zipSha256);
    expect(unzip(readFileSync(second.zipFile))['index.js']).toContain('"changed"');
  });

  it('rebuilds when a new file may win module resolution', () => {
    const first = bundleHandler(entry);
    // ./lib/greeting.ts stays; ./lib/greeting.tsx would not win, but the key cannot know: any new name in an input folder rebuilds.
    writeFileSync(path.join(work, 'src', 'lib', 'greeting.js'), "exports.greeting = 'shadow';\n");
    expect(bundleHandler(entry).key).not.toBe(first.key);
  });

  it('rebuilds when a package.json or tsconfig.json above an input changes', () => {
    const first = bundleHandler(entry);
    writeFileSync(path.join(work, 'src', 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2020' } }));
    const second = bundleHandler(entry);
    expect(second.cached).toBe(false);
    expect(second.key).not.toBe(first.key);
  });

  it('rebuilds when an input is deleted (the manifest no longer matches)', () => {
    bundleHandler(entry);
    writeFileSync(entry, 'export const handler = async () => 42;\n');
    rmSync(path.join(work, 'src', 'lib', 'greeting.ts'));
    const rebuilt = bundleHandler(entry);
    expect(rebuilt.cached).toBe(false);
    expect(unzip(readFileSync(rebuilt.zipFile))['index.js']).toContain('42');
  });

  it('keys on the esbuild options and version too', () => {
    const inputs = [entry, path.join(work, 'src', 'lib', 'greeting.ts')];
    const key = bundleKey(entry, inputs);
    expect(bundleKey(entry, inputs)).toBe(key);
    expect(bundleKey(entry, inputs, { ...BUNDLE_OPTIONS, target: 'node22' })).not.toBe(key);
    expect(bundleKey(entry, inputs, { ...BUNDLE_OPTIONS, external: [] })).not.toBe(key);
    expect(bundleKey(entry, inputs, BUNDLE_OPTIONS, '0.0.1')).not.toBe(key);
    expect(bundleKey(entry, [...inputs, path.join(work, 'gone.ts')])).toBeUndefined();
  });
});
