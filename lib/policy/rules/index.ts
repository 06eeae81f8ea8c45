/**
 * The security and reliability rules every synthesized stack must pass, one file per concern.
 * Each rule has an id, a one-line reason and where the guidance comes from; a violation names
 * the stack, the resource address, the problem and the fix. Exceptions live in ../exceptions.ts,
 * each with a reason; rules checkov now covers are listed in ../retired.ts.
 */
import type { PolicyRule } from '../types';
import { COMPUTE_RULES } from './compute';
import { GENESYS_RULES } from './genesys';
import { IAM_RULES } from './iam';
import { SECRET_RULES } from './secrets';
import { STORAGE_RULES } from './storage';
import { TAGGING_RULES } from './tagging';

export const RULES: readonly PolicyRule[] = [
  ...STORAGE_RULES,
  ...IAM_RULES,
  ...COMPUTE_RULES,
  ...GENESYS_RULES,
  ...SECRET_RULES,
  ...TAGGING_RULES,
];
