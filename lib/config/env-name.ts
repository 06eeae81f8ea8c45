/** An environment's name: stacks, buckets, roles and test ids are derived from it, so one rule everywhere. */
export const ENV_NAME_PATTERN = /^[a-z][a-z0-9-]{1,23}$/;

/** The rule in words, for error messages. */
export const ENV_NAME_RULE = '2-24 lower-case letters, digits or -, starting with a letter';
