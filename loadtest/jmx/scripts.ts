/**
 * The Groovy the generated plans run (JSR223, compiled once and cached). Kept free of `${` so
 * JMeter never substitutes into them; every tunable is read from a JMeter property at run time.
 * Shared state lives in JMeter properties (one JVM per shard):
 *   loadlab.tokens      List<String>, the shard's access tokens (swapped whole on refresh)
 *   loadlab.rr          AtomicLong, the round-robin counter
 *   loadlab.pausedUntil ConcurrentHashMap<Integer, Long>, per token: no request before this time
 *   loadlab.skipped     AtomicLong, arrivals dropped because their token was resting (Retry-After) or capped
 *   loadlab.buckets     ConcurrentHashMap<Integer, double[]>, per token: the catch-up cap (credit, last ms)
 */

import { DROP_CODES, DROP_LABEL } from '../labels';

/** A setting from the test plan's variables (`${__P(NAME,default)}`), or the fallback. */
const SETTING_FN = String.raw`
String setting(String name, String fallback) {
  String v = vars.get(name)
  return v == null || v.trim().isEmpty() ? fallback : v.trim()
}
`;

/** Parses Retry-After (seconds or an HTTP date) from JMeter's raw response headers; ms. */
const RETRY_AFTER_FN =
  SETTING_FN +
  String.raw`
long retryAfterMs(String headers, long now) {
  def sim = java.util.regex.Pattern.compile('(?im)^x-sim-retry-after-ms:[ \t]*([0-9.]+)').matcher(headers)
  if (sim.find()) return (long) Double.parseDouble(sim.group(1))
  def m = java.util.regex.Pattern.compile('(?im)^retry-after:[ \t]*([^\r\n]+)').matcher(headers)
  long fallback = (long) (Double.parseDouble(setting('RETRY_AFTER_DEFAULT_SEC', '3')) * 1000)
  if (!m.find()) return fallback
  String value = m.group(1).trim()
  if (value ==~ /[0-9]+(\.[0-9]+)?/) return (long) (Double.parseDouble(value) * 1000)
  try {
    def when = java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
    return Math.max(0L, when.toInstant().toEpochMilli() - now)
  } catch (Exception ignored) {
    return fallback
  }
}

long capWait(long waitMs) {
  long max = (long) (Double.parseDouble(setting('RETRY_AFTER_MAX_SEC', '120')) * 1000)
  return Math.min(waitMs, max)
}

/** Sleeps, but never past the end of this thread's scheduled run. */
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

/** After each POST /oauth/token: keep the token, honour 429, give up on bad credentials. */
export const TOKEN_RESPONSE =
  RETRY_AFTER_FN +
  String.raw`
int wanted = Integer.parseInt(setting('TOKENS_PER_SHARD', '1'))
int extra = Integer.parseInt(setting('TOKEN_MAX_RETRIES', '10'))
java.util.List pending = (java.util.List) vars.getObject('loadlab_pending')
int attempts = Integer.parseInt(vars.get('loadlab_attempts')) + 1
vars.put('loadlab_attempts', String.valueOf(attempts))
String code = prev.getResponseCode()
boolean haveTokens = props.get('loadlab.tokens') != null
if (code == '200') {
  def body = new groovy.json.JsonSlurper().parseText(prev.getResponseDataAsString())
  if (body.access_token) {
    pending.add(body.access_token as String)
  } else {
    log.error('loadlab: token response without access_token')
  }
} else if (code == '429') {
  long waitMs = capWait(retryAfterMs(prev.getResponseHeaders(), System.currentTimeMillis()))
  log.warn('loadlab: token request throttled, waiting ' + waitMs + ' ms (Retry-After)')
  sleepWithinRun(waitMs)
} else if (code == '400' || code == '401' || code == '403') {
  log.error('loadlab: token request refused (' + code + ' ' + prev.getResponseDataAsString() + '); check the OAuth client in CLIENT_SECRET_ARN')
  vars.put('loadlab_round_done', 'true')
  if (!haveTokens) prev.setStopTest(true)
  return
} else {
  log.warn('loadlab: token request failed with ' + code + ', retrying')
}
if (pending.size() >= wanted) {
  // One assignment swaps the whole set, so a main thread never sees a half-filled list.
  props.put('loadlab.tokens', java.util.Collections.unmodifiableList(new java.util.ArrayList(pending)))
  props.putIfAbsent('loadlab.rr', new java.util.concurrent.atomic.AtomicLong())
  props.putIfAbsent('loadlab.pausedUntil', new java.util.concurrent.ConcurrentHashMap())
  props.putIfAbsent('loadlab.skipped', new java.util.concurrent.atomic.AtomicLong())
  props.putIfAbsent('loadlab.buckets', new java.util.concurrent.ConcurrentHashMap())
  vars.put('loadlab_round_done', 'true')
  log.info('loadlab: ' + pending.size() + ' access token(s) ready')
} else if (attempts >= wanted + extra) {
  vars.put('loadlab_round_done', 'true')
  log.error('loadlab: got ' + pending.size() + ' of ' + wanted + ' tokens after ' + attempts + ' attempts')
  // Without tokens there is no test; with old ones the run goes on until they expire.
  if (!haveTokens) prev.setStopTest(true)
}
`;

/**
 * Main threads, at each arrival the Precise Throughput Timer releases (a JSR223 Sampler whose own
 * result is ignored when the arrival is sent, so only drops reach the JTL, as DROP_LABEL records): the next token, round-robin over the shard's
 * tokens. An arrival whose token rests after a 429 is dropped, never postponed: a postponed
 * arrival would fire together with the others at the end of the pause (the timer keeps its
 * schedule from the start of the test), a burst that draws new 429s. So no request goes out on a
 * resting token, and after the pause the token carries its planned share of arrivals. A cap per
 * token (1.25 x its planned rate, 2 s of burst) also drops the arrivals of any other catch-up.
 * Sets loadlab_send, which the If Controller around the requests reads.
 */
export const PICK_TOKEN =
  SETTING_FN +
  String.raw`
vars.put('loadlab_send', 'false')
java.util.List tokens = (java.util.List) props.get('loadlab.tokens')
if (tokens == null || tokens.isEmpty()) {
  SampleResult.setIgnore()
  log.error('loadlab: no access tokens (the setUp thread group failed); stopping this thread')
  ctx.getThread().stop()
  return
}
long n = ((java.util.concurrent.atomic.AtomicLong) props.get('loadlab.rr')).getAndIncrement()
int i = (int) (n % tokens.size())
long now = System.currentTimeMillis()
Long until = (Long) ((java.util.Map) props.get('loadlab.pausedUntil')).get(i)
boolean resting = until != null && until > now
boolean send = !resting
if (send) {
  // A cap per token of 1.25 x its planned rate with 2 s of burst: the timer's catch-up (after a slow
  // start, a stall or a pause) cannot pile onto a token; ordinary random arrivals almost never meet it.
  double perMs = Double.parseDouble(setting('TARGET_RPM', '60')) / Math.max(1, tokens.size()) / 60000d
  double cap = Math.max(10d, perMs * 2000d)
  java.util.Map buckets = (java.util.Map) props.get('loadlab.buckets')
  double[] b = (double[]) buckets.computeIfAbsent(i, { k -> [cap, (double) now] as double[] })
  synchronized (b) {
    b[0] = Math.min(cap, b[0] + (now - b[1]) * perMs * 1.25d)
    b[1] = now
    if (b[0] >= 1d) b[0] -= 1d
    else send = false
  }
}
if (!send) {
  ((java.util.concurrent.atomic.AtomicLong) props.get('loadlab.skipped')).incrementAndGet()
  // The one record this sampler writes: the dropped arrival, its token and why (the report counts them).
  SampleResult.setSampleLabel('${DROP_LABEL}')
  SampleResult.setResponseCode(resting ? '${DROP_CODES.resting}' : '${DROP_CODES.capped}')
  SampleResult.setResponseMessage('token ' + i + (resting ? ' rests after a 429' : ' capped'))
  SampleResult.setSuccessful(true)
  vars.put('loadlab_token_index', String.valueOf(i))
  return
}
SampleResult.setIgnore()
vars.put('loadlab_token', (String) tokens.get(i))
vars.put('loadlab_token_index', String.valueOf(i))
vars.put('loadlab_send', 'true')
`;

/**
 * Main threads, after every request: on 429, read Retry-After and rest the token that long (the
 * arrival gate drops its arrivals until then); tag the sample (JTL column loadlab_retry_after, and
 * the response message). The thread itself goes on to its next arrival, on another token: a
 * sleeping thread would leave the timer's schedule behind and make it catch up in a burst.
 */
export const HONOUR_RETRY_AFTER =
  RETRY_AFTER_FN +
  String.raw`
vars.put('loadlab_retry_after', '')
if (prev.getResponseCode() != '429') return
long now = System.currentTimeMillis()
long waitMs = capWait(retryAfterMs(prev.getResponseHeaders(), now))
int i = Integer.parseInt(vars.get('loadlab_token_index') ?: '0')
((java.util.Map) props.get('loadlab.pausedUntil')).merge(i, now + waitMs, { a, b -> Math.max(a, b) })
vars.put('loadlab_retry_after', String.format(java.util.Locale.ROOT, '%.3f', waitMs / 1000d))
prev.setResponseMessage('Too Many Requests; token ' + i + ' rests ' + waitMs + ' ms per Retry-After')
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
