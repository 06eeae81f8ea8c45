import type { StackJson } from './terraform-json';

export interface PolicyTarget {
  /** Stack name, e.g. `example-runners`. */
  readonly stack: string;
  readonly json: StackJson;
  /** The environment's token validity ceiling (GEN-003). */
  readonly maxTokenValiditySec: number;
  /** Tags every taggable resource must carry (TAG-001). */
  readonly requiredTags: readonly string[];
  /** The day runtime deprecations are judged against (LAMBDA-004). Default: now. */
  readonly now?: Date;
}

export interface Violation {
  readonly rule: string;
  readonly stack: string;
  /** Terraform address, e.g. `aws_s3_bucket.recordings_bucket_1A2B3C`. */
  readonly address: string;
  readonly problem: string;
  readonly fix: string;
}

export interface PolicyRule {
  /** Stable id, e.g. `S3-001`. */
  readonly id: string;
  /** One line: why the rule exists. */
  readonly reason: string;
  /** Where the guidance comes from. */
  readonly guidance: string;
  check(target: PolicyTarget): Violation[];
}
