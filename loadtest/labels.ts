/** Sample labels shared by the plan generator and the report (no other imports: the report Lambda bundles this). */

/** Label of the OAuth token requests; the report lists them but keeps them out of the scenario totals. */
export const TOKEN_LABEL = 'POST /oauth/token';

/** JMeter variables the plans save as extra JTL columns (`sample_variables`). */
export const SAMPLE_VARIABLES = ['loadlab_retry_after', 'loadlab_token_index'] as const;
