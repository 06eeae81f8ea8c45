/**
 * The Groovy the generated plans run (JSR223, compiled once and cached). Kept free of `${` so
 * JMeter never substitutes into them; every tunable is read from a JMeter property at run time.
 * Shared state lives in JMeter properties (one JVM per shard):
 *   loadlab.tokens  List<String>, the shard's access tokens (swapped whole on refresh)
 *   loadlab.gate    the arrival gate (gate-script.ts): per token the rest after a 429, the
 *                   requests in flight and the catch-up cap; counters rr, skipped (arrivals
 *                   dropped) and tokenRetries
 */

import { DROP_CODES, DROP_LABEL } from '../labels';

/** A setting from the test plan's variables (`${__P(NAME,default)}`), or the fallback. */
const SETTING_FN = String.raw`
String setting(String name, String fallback) {
  String v = vars.get(name)
  return v == null || v.trim().isEmpty() ? fallback : v.trim()
}
`;

/** Sleeps, but never past the end of this thread's scheduled run. */
const SLEEP_FN = String.raw`
void sleepWithinRun(long ms) {
  long end = ctx.getThread().getEndTime()
  long left = end > 0 ? end - System.currentTimeMillis() : ms
  long actual = Math.min(ms, Math.max(0L, left))
  if (actual > 0) Thread.sleep(actual)
}
`;

/** Before a round of token requests (setUp, and each refresh). */
export const TOKEN_ROUND_START = String.raw`
// A fresh list per round: the main threads keep using the old tokens until the new set is complete.
vars.putObject('loadlab_pending', new java.util.ArrayList())
vars.put('loadlab_attempts', '0')
vars.put('loadlab_failures', '0')
vars.put('loadlab_round_start', String.valueOf(System.currentTimeMillis()))
long end = ctx.getThread().getEndTime()
// No refresh in the last seconds of the run: the tokens outlive it.
boolean tooLate = end > 0 && end - System.currentTimeMillis() < 10000
vars.put('loadlab_round_done', tooLate ? 'true' : 'false')
String id = props.getProperty('CLIENT_ID', '')
String secret = props.getProperty('CLIENT_SECRET', '')
if (id.isEmpty() || secret.isEmpty()) {
  log.error('loadlab: the CLIENT_ID and CLIENT_SECRET properties are empty; the entrypoint sets them from the CLIENT_SECRET_ARN secret')
}
// Computed here so the secret is never written into the plan or the results.
vars.put('loadlab_basic', (id + ':' + secret).getBytes('UTF-8').encodeBase64().toString())
`;

/** Pause of the refresh thread: the refresh interval, cut short at the end of the run. */
export const REFRESH_WAIT =
  SETTING_FN +
  String.raw`
long every = (long) (Double.parseDouble(setting('TOKEN_REFRESH_SEC', '2880')) * 1000)
long end = ctx.getThread().getEndTime()
long left = end > 0 ? Math.max(0L, end - System.currentTimeMillis()) : every
vars.put('loadlab_refresh_wait_ms', String.valueOf(Math.min(every, left)))
`;

/**
 * After each POST /oauth/token: keep the token; on a throttle (429, or Genesys's token-creation 400
 * "rate limit exceeded"), a 5xx or no answer at all, back off (bounded exponential with jitter, at
 * least Retry-After) and try again while the round is within TOKEN_RETRY_WINDOW_SEC; give up at
 * once on refused credentials. Each retry is a WARN line `loadlab: token retry ...` and counts in
 * loadlab.gate's tokenRetries; the sample's response message says why it was retried.
 */
export const TOKEN_RESPONSE =
  SETTING_FN +
  SLEEP_FN +
  String.raw`
def gate = props.get('loadlab.gate')
if (gate == null) {
  log.error('loadlab: no arrival gate (its setUp sampler failed; see the lines above); stopping the test')
  vars.put('loadlab_round_done', 'true')
  prev.setStopTest(true)
  return
}
int wanted = Integer.parseInt(setting('TOKENS_PER_SHARD', '1'))
long windowMs = (long) (Double.parseDouble(setting('TOKEN_RETRY_WINDOW_SEC', '30')) * 1000)
java.util.List pending = (java.util.List) vars.getObject('loadlab_pending')
int attempts = Integer.parseInt(vars.get('loadlab_attempts')) + 1
vars.put('loadlab_attempts', String.valueOf(attempts))
String code = prev.getResponseCode()
String body = prev.getResponseDataAsString()
boolean haveTokens = props.get('loadlab.tokens') != null
String reason = gate.retryReason(code, body)
if (code == '200') {
  def token = null
  try {
    token = new groovy.json.JsonSlurper().parseText(body).access_token
  } catch (Exception ignored) {
  }
  if (token) pending.add(token as String)
  else reason = 'no access_token'
} else if (reason == null) {
  log.error('loadlab: token request refused (' + code + ' ' + body + '); check the OAuth client in CLIENT_SECRET_ARN')
  vars.put('loadlab_round_done', 'true')
  if (!haveTokens) prev.setStopTest(true)
  return
}
if (reason != null) {
  int failures = Integer.parseInt(vars.get('loadlab_failures')) + 1
  vars.put('loadlab_failures', String.valueOf(failures))
  long now = System.currentTimeMillis()
  long backoff = gate.backoffMs(failures, java.util.concurrent.ThreadLocalRandom.current().nextDouble())
  long waitMs = Math.max(backoff, Math.min(gate.maxWaitMs, gate.retryAfterMs(prev.getResponseHeaders(), now, 0L)))
  long usedMs = now - Long.parseLong(vars.get('loadlab_round_start'))
  if (usedMs + waitMs > windowMs) {
    vars.put('loadlab_round_done', 'true')
    log.error('loadlab: got ' + pending.size() + ' of ' + wanted + ' tokens after ' + attempts + ' attempts in ' + usedMs + ' ms (TOKEN_RETRY_WINDOW_SEC ' + (windowMs / 1000) + '); last: ' + reason)
    // Without tokens there is no test; with old ones the run goes on until they expire.
    if (!haveTokens) prev.setStopTest(true)
    return
  }
  gate.tokenRetries.incrementAndGet()
  prev.setResponseMessage('token request retried after ' + waitMs + ' ms (' + reason + ')')
  log.warn('loadlab: token retry ' + failures + ' reason=' + reason + ' wait_ms=' + waitMs + ' round_ms=' + usedMs)
  sleepWithinRun(waitMs)
}
if (pending.size() >= wanted) {
  // One assignment swaps the whole set, so a main thread never sees a half-filled list.
  props.put('loadlab.tokens', java.util.Collections.unmodifiableList(new java.util.ArrayList(pending)))
  vars.put('loadlab_round_done', 'true')
  log.info('loadlab: ' + pending.size() + ' access token(s) ready after ' + attempts + ' attempt(s), ' + vars.get('loadlab_failures') + ' retried')
}
`;

/**
 * Main threads, at each arrival the Precise Throughput Timer releases (a JSR223 Sampler whose own
 * result is ignored when the arrival is sent, so only drops reach the JTL, as DROP_LABEL records): the next token, round-robin over the shard's
 * tokens. An arrival whose token rests after a 429 is dropped, never postponed: a postponed
 * arrival would fire together with the others at the end of the pause (the timer keeps its
 * schedule from the start of the test), a burst that draws new 429s. So no request goes out on a
 * resting token, and after the pause the token carries its planned share of arrivals. A cap per
 * token (1.25 x its planned rate, at most 2 s of it at once, starting from one request) also drops
 * the arrivals of any other catch-up, the timer's start-up backlog included.
 * Sets loadlab_send, which the If Controller around the requests reads.
 */
export const PICK_TOKEN = String.raw`
vars.put('loadlab_send', 'false')
// Blank until a 429 of this arrival's request says otherwise (a dropped arrival's record has none).
vars.put('loadlab_retry_after', '')
java.util.List tokens = (java.util.List) props.get('loadlab.tokens')
def gate = props.get('loadlab.gate')
if (tokens == null || tokens.isEmpty() || gate == null) {
  SampleResult.setIgnore()
  log.error('loadlab: no access tokens or no arrival gate (the setUp thread group failed); stopping this thread')
  ctx.getThread().stop()
  return
}
long now = System.currentTimeMillis()
int i = gate.pick(now)
if (i < 0) {
  // The one record this sampler writes: the dropped arrival, its token and why (the report counts them).
  int t = -1 - i
  boolean resting = gate.restsUntil(t) > now
  SampleResult.setSampleLabel('${DROP_LABEL}')
  SampleResult.setResponseCode(resting ? '${DROP_CODES.resting}' : '${DROP_CODES.capped}')
  SampleResult.setResponseMessage('token ' + t + (resting ? ' rests after a 429' : ' capped (or busy while warming up)'))
  SampleResult.setSuccessful(true)
  vars.put('loadlab_token_index', String.valueOf(t))
  return
}
SampleResult.setIgnore()
vars.put('loadlab_token', (String) tokens.get(i))
vars.put('loadlab_token_index', String.valueOf(i))
vars.put('loadlab_send', 'true')
`;

/**
 * Main threads, after every request: the gate counts the answer (the token's request is no longer in
 * flight) and, on 429, rests the token for Retry-After, under the token's lock, before anything else
 * happens; then the sample is tagged (JTL column loadlab_retry_after, and the response
 * message). The thread itself goes on to its next arrival, on another token: a sleeping thread
 * would leave the timer's schedule behind and make it catch up in a burst.
 */
export const HONOUR_RETRY_AFTER = String.raw`
// Scoped to the requests (under the IfController), so the arrival sampler costs no Groovy call here;
// the guard stays in case a plan is edited: neither the gate's sample nor a dropped arrival is an answer.
if (prev.isIgnore() || prev.getSampleLabel() == '${DROP_LABEL}') return
def gate = props.get('loadlab.gate')
String index = vars.get('loadlab_token_index')
long waitMs = gate == null ? -1L : gate.onResponse(prev.getResponseCode(), prev.getResponseHeaders(), index == null ? -1 : Integer.parseInt(index), System.currentTimeMillis())
vars.put('loadlab_retry_after', '')
if (waitMs < 0) return
vars.put('loadlab_retry_after', String.format(java.util.Locale.ROOT, '%.3f', waitMs / 1000d))
prev.setResponseMessage('Too Many Requests; token ' + index + ' rests ' + waitMs + ' ms per Retry-After')
`;

/** After a request that yields an id later requests need (e.g. POST .../details/jobs -> jobId). */
export function extractIdScript(variable: string, jsonField: string): string {
  return String.raw`
if (!prev.isSuccessful()) return
try {
  def value = new groovy.json.JsonSlurper().parseText(prev.getResponseDataAsString())?.${jsonField}
  if (value) vars.put('${variable}', value as String)
} catch (Exception e) {
  log.warn('loadlab: no ${jsonField} in the response of ' + prev.getSampleLabel())
}
`;
}
