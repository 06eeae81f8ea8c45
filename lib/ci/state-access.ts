import type { PolicyStatement } from '../iam/policy';

/** The S3 backend every environment of the account keeps its state in. */
export interface StateLocation {
  readonly partition: string;
  readonly bucket: string;
  readonly keyPrefix: string;
  readonly kmsKeyArn: string;
}

/**
 * Access to state objects (`<keyPrefix>/<stack>.tfstate`) and their lock files
 * (`<key>.tflock`). `keys` are globs under the prefix: `*` for every stack, `pr-*-runners.tfstate`
 * for one kind. Listing is limited to `listKeys` (default the same): without it S3 answers 403
 * instead of 404 for a state that does not exist yet; listing names no content.
 */
export function stateStatements(
  state: StateLocation,
  keys: readonly string[],
  mode: 'read' | 'write',
  listKeys: readonly string[] = keys,
): PolicyStatement[] {
  const bucketArn = `arn:${state.partition}:s3:::${state.bucket}`;
  const objects = keys.flatMap((k) =>
    mode === 'write' ? [`${state.keyPrefix}/${k}`, `${state.keyPrefix}/${k}.tflock`] : [`${state.keyPrefix}/${k}`],
  );
  return [
    {
      sid: mode === 'write' ? 'ReadWriteState' : 'ReadState',
      actions: mode === 'write' ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] : ['s3:GetObject'],
      resources: objects.map((o) => `${bucketArn}/${o}`),
    },
    {
      sid: 'ListState',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': listKeys.map((k) => `${state.keyPrefix}/${k.replace(/\.tfstate$/, '')}*`) } },
    },
    {
      sid: 'StateKey',
      actions: mode === 'write' ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      resources: [state.kmsKeyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${state.kmsKeyArn.split(':')[3]}.amazonaws.com` } },
    },
  ];
}
