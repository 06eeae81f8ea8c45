/** The AWS partition of a region: ARNs differ in GovCloud and China. */
export function awsPartitionOf(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** The console host of a region's partition. */
export function consoleHost(region: string): string {
  const partition = awsPartitionOf(region);
  if (partition === 'aws-us-gov') return `console.amazonaws-us-gov.com`;
  if (partition === 'aws-cn') return `console.amazonaws.cn`;
  return `${region}.console.aws.amazon.com`;
}
