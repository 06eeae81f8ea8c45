import { Testing } from 'cdktf';
import { repoEnvironment, synthEnvironment, type SynthesizedStack } from '../helpers/env';

/**
 * Every resource address (type.name) of the example environment's archive stack, as synthesized
 * before the archive's names were reworded. The archive is durable (prevent_destroy): an address
 * that changes makes Terraform plan a destroy and a create, which it refuses for these resources.
 * A rename in code keeps the construct ids, or adds a `moved` block; this list stays as it is.
 */
const ARCHIVE_ADDRESSES = [
  'aws_iam_role.archive_genesys-export_role_246D6B41',
  'aws_iam_role_policy.archive_genesys-export_policy_EFC3FD05',
  'aws_kms_alias.archive_key_alias_A2D9315D',
  'aws_kms_key.archive_key_3F84AD30',
  'aws_s3_bucket.archive_access-logs_bucket_F238FF33',
  'aws_s3_bucket.archive_recordings_bucket_A826C4C7',
  'aws_s3_bucket.archive_reports_bucket_2C327DBE',
  'aws_s3_bucket.archive_results_bucket_FDEE51B4',
  'aws_s3_bucket_lifecycle_configuration.archive_access-logs_lifecycle_B21B8513',
  'aws_s3_bucket_lifecycle_configuration.archive_recordings_lifecycle_143380DF',
  'aws_s3_bucket_lifecycle_configuration.archive_reports_lifecycle_4AB95DAF',
  'aws_s3_bucket_lifecycle_configuration.archive_results_lifecycle_F3F1277D',
  'aws_s3_bucket_logging.archive_recordings_access-logs_F66EB7F2',
  'aws_s3_bucket_logging.archive_reports_access-logs_92334AEE',
  'aws_s3_bucket_logging.archive_results_access-logs_A3B50CBC',
  'aws_s3_bucket_object_lock_configuration.archive_recordings_object-lock_B47B0A43',
  'aws_s3_bucket_ownership_controls.archive_access-logs_ownership_AF6DEBFB',
  'aws_s3_bucket_ownership_controls.archive_recordings_ownership_581E1013',
  'aws_s3_bucket_ownership_controls.archive_reports_ownership_771673C5',
  'aws_s3_bucket_ownership_controls.archive_results_ownership_F19ADB53',
  'aws_s3_bucket_policy.archive_access-logs_policy_03BF484D',
  'aws_s3_bucket_policy.archive_recordings_policy_6456F29A',
  'aws_s3_bucket_policy.archive_reports_policy_B2ACF606',
  'aws_s3_bucket_policy.archive_results_policy_900CB111',
  'aws_s3_bucket_public_access_block.archive_access-logs_public-access_5CFA4283',
  'aws_s3_bucket_public_access_block.archive_recordings_public-access_003576F4',
  'aws_s3_bucket_public_access_block.archive_reports_public-access_F0511115',
  'aws_s3_bucket_public_access_block.archive_results_public-access_56FE91DD',
  'aws_s3_bucket_server_side_encryption_configuration.archive_access-logs_encryption_68CE4F7B',
  'aws_s3_bucket_server_side_encryption_configuration.archive_recordings_encryption_20B3D3D4',
  'aws_s3_bucket_server_side_encryption_configuration.archive_reports_encryption_A8B5D478',
  'aws_s3_bucket_server_side_encryption_configuration.archive_results_encryption_F28E0B05',
  'aws_s3_bucket_versioning.archive_access-logs_versioning_8F3D8C10',
  'aws_s3_bucket_versioning.archive_recordings_versioning_76EC2CDD',
  'aws_s3_bucket_versioning.archive_reports_versioning_71E7E231',
  'aws_s3_bucket_versioning.archive_results_versioning_9DB64341',
];

/** Physical names are immutable for S3 buckets: a new name would replace the bucket and its data. */
const ARCHIVE_BUCKET_NAMES = [
  'loadlab-example-access-logs-111122223333',
  'loadlab-example-recordings-111122223333',
  'loadlab-example-reports-111122223333',
  'loadlab-example-results-111122223333',
];

function exampleArchive(): SynthesizedStack {
  const { archive } = synthEnvironment(repoEnvironment('example')).stacks;
  if (!archive) throw new Error('the example environment owns its archive');
  return JSON.parse(Testing.synth(archive)) as SynthesizedStack;
}

describe('archive stack addresses (pinned)', () => {
  const json = exampleArchive();

  it('has exactly the resource addresses it had before the rename', () => {
    const addresses = Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
    expect(addresses.sort()).toEqual(ARCHIVE_ADDRESSES);
  });

  it('keeps the physical bucket names', () => {
    const buckets = Object.values(json.resource?.aws_s3_bucket ?? {}).map((b) => (b as { bucket?: string }).bucket);
    expect(buckets.sort()).toEqual(ARCHIVE_BUCKET_NAMES);
  });

  it('declares no moved blocks (the addresses never changed)', () => {
    const moved = Object.values(json.resource ?? {})
      .flatMap((byName) => Object.values(byName))
      .filter((r) => 'moved' in (r as object));
    expect(moved).toEqual([]);
    expect((json as Record<string, unknown>).moved).toBeUndefined();
  });
});
