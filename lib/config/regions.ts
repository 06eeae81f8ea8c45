/**
 * Genesys Cloud regions as the provider names them (`aws_region`), with their API domains.
 * Source: MyPureCloud/terraform-provider-genesyscloud v1.84.1, `getRegionMap` in genesyscloud/provider/provider.go.
 */
export const GENESYS_REGIONS: Readonly<Record<string, string>> = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'eusc-de-east-1': 'edee1.eusc-pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
};

/** The AWS partition of a region: ARNs and service principals differ in GovCloud and China. */
export function awsPartitionOf(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** The only FedRAMP Genesys Cloud region. */
export const FEDRAMP_REGION = 'us-east-2';

/** AWS account Genesys Cloud assumes roles from (core/satellite regions vs FedRAMP). */
export const GENESYS_AWS_ACCOUNT = { commercial: '765628985471', fedramp: '325654371633' } as const;

export function genesysDomain(region: string): string {
  const domain = GENESYS_REGIONS[region];
  if (!domain) throw new Error(`unknown Genesys Cloud region ${region}`);
  return domain;
}

export const genesysApiBase = (region: string): string => `https://api.${genesysDomain(region)}`;
export const genesysLoginBase = (region: string): string => `https://login.${genesysDomain(region)}`;
export const genesysAwsAccount = (region: string): string =>
  region === FEDRAMP_REGION ? GENESYS_AWS_ACCOUNT.fedramp : GENESYS_AWS_ACCOUNT.commercial;
