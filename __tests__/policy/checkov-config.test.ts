import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { isScalar, isSeq, parseDocument } from 'yaml';
import { RETIRED_RULES } from '../../lib/policy';

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
