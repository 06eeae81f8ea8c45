import { awsPartitionOf } from '../config/regions';

/** The console host of a region's partition. */
export function consoleHost(region: string): string {
  const partition = awsPartitionOf(region);
  if (partition === 'aws-us-gov') return `console.amazonaws-us-gov.com`;
  if (partition === 'aws-cn') return `console.amazonaws.cn`;
  return `${region}.console.aws.amazon.com`;
}
