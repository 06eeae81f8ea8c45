import { ConfigError, parseEnvironmentFile } from '../../lib/config';
import { exampleInput } from '../helpers/env';

function problemsOf(input: unknown): readonly string[] {
  try {
    parseEnvironmentFile(input, 'e.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('archive config', () => {
  it('defaults: 30/180 days to Standard-IA/Glacier Instant Retrieval, history kept, recordings locked 365 days (GOVERNANCE), 365 days of access logs, no break-glass, no extras', () => {
    const config = parseEnvironmentFile({ ...exampleInput(), archive: undefined }, 'e.json');
    expect(config.archive).toEqual({
      transitionToInfrequentAccessDays: 30,
      transitionToColdDays: 180,
      objectLock: { enabled: true, mode: 'GOVERNANCE', retentionDays: 365 },
      coldStorageClass: 'GLACIER_IR',
      accessLogRetentionDays: 365,
      exportRoleExtraActions: [],
      readerRoleArns: [],
    });
  });

  it('reader roles must be IAM role ARNs', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive.readerRoleArns = ['arn:aws:iam::111122223333:user/alice'];
    expect(problemsOf(input)).toEqual([
      'e.json: archive.readerRoleArns[0] must be an IAM role ARN such as arn:aws:iam::111122223333:role/name (got "arn:aws:iam::111122223333:user/alice")',
    ]);
  });

  it('names the field and the fix for values S3 would reject', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive = {
      coldStorageClass: 'ONEZONE_IA',
      accessLogRetentionDays: 0,
      exportRoleExtraActions: ['s3:*'],
    };
    expect(problemsOf(input)).toEqual([
      'e.json: archive.coldStorageClass must be one of GLACIER_IR, GLACIER, DEEP_ARCHIVE (got "ONEZONE_IA")',
      'e.json: archive.accessLogRetentionDays must be an integer >= 1 (got 0)',
      'e.json: archive.exportRoleExtraActions[0] must be one of s3:PutObjectAcl, kms:Decrypt (got "s3:*")',
    ]);
    input.archive = { transitionToInfrequentAccessDays: 45, transitionToColdDays: 60 };
    expect(problemsOf(input)).toEqual([
      'e.json: archive.transitionToColdDays must be at least archive.transitionToInfrequentAccessDays + 30 (75): S3 keeps objects 30 days in Standard-IA first (got 60)',
    ]);
  });

  it('refuses the old key transitionToGlacierDays, naming its new name', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive = { transitionToInfrequentAccessDays: 30, transitionToGlacierDays: 120 };
    expect(problemsOf(input)).toEqual([
      'e.json: archive.transitionToGlacierDays was renamed archive.transitionToColdDays (the class is archive.coldStorageClass, not always Glacier): rename the key (got 120)',
    ]);
  });

  it('object lock needs a mode and a retention of at least one day', () => {
    const input = exampleInput() as Record<string, any>;
    input.archive.objectLock = { mode: 'COMPLIANCE', retentionDays: 0 };
    expect(problemsOf(input)).toEqual(['e.json: archive.objectLock.retentionDays must be an integer >= 1 (got 0)']);
  });
});
