/**
 * The one Lambda runtime every function uses, and the matching esbuild target.
 *
 * nodejs24.x: the supported Node.js runtime with the longest runway (AWS lists its deprecation for
 * 2028-04-30; nodejs22.x goes on 2027-04-30, nodejs20.x went on 2026-04-30). The AWS provider
 * validates `runtime` against the Lambda API's enum of its Go SDK; nodejs24.x is in it since
 * provider 6.19 (aws-sdk-go-v2 release 2025-10-23), and we use 6.25 (@cdktf/provider-aws 21.22).
 * Node 24 runtimes accept async handlers only (no callback argument): every handler here is async.
 */
export const LAMBDA_RUNTIME = 'nodejs24.x';
export const BUNDLE_TARGET = 'node24';

/**
 * When AWS deprecates each Node.js Lambda runtime (AWS Lambda developer guide, "Lambda runtimes"):
 * after that day no new function may use it and existing ones stop getting patches. Rule
 * LAMBDA-004 refuses a runtime that is deprecated or not listed here. checkov's own
 * deprecated-runtime check (CKV_AWS_363, 3.3.30) does not list nodejs18.x or nodejs20.x yet.
 */
export const NODE_RUNTIME_DEPRECATION: Readonly<Record<string, string>> = {
  'nodejs18.x': '2025-09-01',
  'nodejs20.x': '2026-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs24.x': '2028-04-30',
};
