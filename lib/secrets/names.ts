/**
 * Where an environment's OAuth client secrets live, derived from names alone: the genesys stack
 * creates them and the runners stack finds them by these names, so no secret (and no reference
 * to one) crosses from one stack's state into another's.
 */
export const clientSecretName = (envName: string, purpose: string): string => `loadlab/${envName}/${purpose}`;

/** The alias of the environment's secrets key (separate from the archive's recordings key). */
export const secretsKeyAlias = (resourcePrefix: string): string => `alias/${resourcePrefix}-secrets`;
