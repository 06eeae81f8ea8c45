/** Sample labels shared by the plan generator and the report (no other imports: the report Lambda bundles this). */

/** Label of the OAuth token requests; the report lists them but keeps them out of the scenario totals. */
export const TOKEN_LABEL = 'POST /oauth/token';

/**
 * Label of the record the arrival gate writes for an arrival it dropped (its token rested after a
 * 429, or the catch-up cap held it back): no request was sent. The response code says why
 * (DROP_RESTING, DROP_CAPPED); the report counts these apart and never as requests.
 */
export const DROP_LABEL = 'loadlab arrival dropped';
export const DROP_CODES = { resting: 'DROP_RESTING', capped: 'DROP_CAPPED' } as const;

/** JMeter variables the plans save as extra JTL columns (`sample_variables`). */
export const SAMPLE_VARIABLES = ['loadlab_retry_after', 'loadlab_token_index'] as const;
