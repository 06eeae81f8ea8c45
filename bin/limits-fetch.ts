/**
 * `npm run limits:fetch -- --env <env>`: reads the org's live limits with a client-credentials
 * token (GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET) and writes the ones the
 * planner uses into `genesys.limits` of the environment file.
 * Exit codes: 0 written (or --dry-run), 1 the API failed, 2 bad arguments, credentials or file.
 */
import { runCli } from '../lib/cli';
import { LIMITS_FETCH_USAGE, LimitsApiError, runLimitsFetch } from '../commands/limits-fetch';

void runCli(() => runLimitsFetch(process.argv.slice(2)), { usage: LIMITS_FETCH_USAGE, expected: [[LimitsApiError, 1]] });
