import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { isScalar, isSeq, parseDocument } from 'yaml';
import { Testing } from 'cdktf';
import { RETIRED_RULES } from '../../lib/policy';
import { planBudget } from '../../lib/ratelimits';
import { ArchiveStack } from '../../stacks/archive-stack';
import { repoEnvironment } from '../helpers/env';

const text = readFileSync(path.join(__dirname, '..', '..', '.checkov.yaml'), 'utf8');
const lines = text.split('\n');
const doc = parseDocument(text);
const skips = doc.get('skip-check');

describe('.checkov.yaml', () => {
  it('scans terraform_json offline', () => {
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toMatchObject({ framework: ['terraform_json'], 'skip-download': true });
  });

  it('gives every skipped check its reason, in the comment right above it', () => {
    expect(isSeq(skips)).toBe(true);
    const ids = isSeq(skips) ? skips.items.map((i) => (isScalar(i) ? String(i.value) : '')) : [];
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^CKV2?_AWS_\d+$/);
      const at = lines.findIndex((l) => l.trim() === `- ${id}`);
      const comment: string[] = [];
      for (let i = at - 1; i >= 0 && lines[i].trim().startsWith('#'); i--) comment.unshift(lines[i].trim().replace(/^#\s*/, ''));
      expect({ id, reason: comment.join(' ').length >= 60 }).toEqual({ id, reason: true });
    }
  });

  it('never skips a check that stands in for a retired hand-written rule', () => {
    const skipped = new Set((doc.toJS() as { 'skip-check': string[] })['skip-check']);
    for (const r of RETIRED_RULES)
      for (const c of r.checkov) expect({ rule: r.id, check: c, skipped: skipped.has(c) }).toMatchObject({ skipped: false });
  });
});

describe('scanners/checkov-baseline.json (findings accepted for one resource)', () => {
  const config = doc.toJS() as { baseline: string; 'skip-check': string[] };
  const baseline = JSON.parse(readFileSync(path.join(__dirname, '..', '..', config.baseline), 'utf8')) as {
    failed_checks: { file: string; findings: { resource: string; check_ids: string[] }[] }[];
  };

  it('accepts CKV_AWS_145 only, only for the archive access-log bucket address, which is no longer skipped for every bucket', () => {
    const env = repoEnvironment('example');
    const json = JSON.parse(Testing.synth(new ArchiveStack(Testing.app(), { env, budget: planBudget(env.config) })));
    const logBucket = Object.entries(json.resource.aws_s3_bucket as Record<string, { bucket: string }>).find(([, b]) =>
      b.bucket.includes('-access-logs-'),
    )![0];
    const findings = baseline.failed_checks.flatMap((f) => f.findings);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f).toEqual({ resource: `aws_s3_bucket.${logBucket}`, check_ids: ['CKV_AWS_145'] });
    expect(config['skip-check']).not.toContain('CKV_AWS_145');
    expect(text).toMatch(/^# .*baseline/m);
  });
});
