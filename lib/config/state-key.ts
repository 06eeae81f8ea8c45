import type { Environment } from './environment';

/**
 * Where a stack's Terraform state lives: the key in the S3 backend, or the file name in the
 * stack's folder with the local backend. The stacks configure their backend with it; destroy
 * and the janitor find the state with it, without loading the stacks.
 */
export const stateKey = (env: Environment, stackName: string): string =>
  env.config.backend.type === 's3' ? `${env.config.backend.keyPrefix}/${stackName}.tfstate` : `terraform.${stackName}.tfstate`;
