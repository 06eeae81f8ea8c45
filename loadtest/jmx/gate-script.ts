/**
 * The arrival gate of the generated plans, as one statically compiled Groovy class. A setUp
 * sampler (GATE_SETUP) defines it, exercises every path of it on a scratch instance (so the first
 * 429 of a cold JVM meets loaded classes and linked code, not the Groovy compiler), and publishes
 * one instance as the JMeter property `loadlab.gate`. The main threads' scripts only call it.
 *
 * Per token, one lock guards the rest after a 429, the catch-up cap and the requests in flight: the
 * 429 handler records the rest under the lock right after the response, and `pick` checks and takes a
 * credit under the same lock, so no arrival passes the gate once the rest is recorded. While the JVM
 * warms up (GATE_WARMUP_SEC from the first arrival), a starved thread can read its response a second
 * or more late, so then a token carries one request at a time: the next passes only after the
 * previous one's answer (and any rest it asked for) has been recorded.
 */

/** Kept free of `${` (JMeter would substitute into it). */
export const GATE_SETUP = String.raw`
import groovy.transform.CompileStatic
import java.util.concurrent.atomic.AtomicLong
import java.util.regex.Matcher
import java.util.regex.Pattern

@CompileStatic
class LoadlabGate {
  static final Pattern SIM_WAIT = Pattern.compile('(?im)^x-sim-retry-after-ms:[ \t]*([0-9.]+)')
  static final Pattern RETRY_AFTER = Pattern.compile('(?im)^retry-after:[ \t]*([^\r\n]+)')
  static final Pattern SECONDS = Pattern.compile('[0-9]+(\\.[0-9]+)?')
  /** Token fetch backoff: the first retry waits 0.5-1 s, doubling up to 8 s (each draw in [half, whole]). */
  static final long BACKOFF_BASE_MS = 1000L
  static final long BACKOFF_MAX_MS = 8000L

  /** Per token: [credit, last arrival ms (-1 before the first), rest until ms, requests in flight]. */
  private final double[][] state
  private final long warmupMs
  /** The first arrival's time, -1 before it. */
  private final AtomicLong firstArrival = new AtomicLong(-1L)
  private final double perMs
  private final double cap
  final long defaultWaitMs
  final long maxWaitMs
  final AtomicLong rr = new AtomicLong()
  /** Arrivals dropped: token resting after a 429, over its cap, or busy during the warm-up. */
  final AtomicLong skipped = new AtomicLong()
  /** Token requests retried after a backoff (all rounds). */
  final AtomicLong tokenRetries = new AtomicLong()

  LoadlabGate(int tokens, double targetRpm, double burstMs, long defaultWaitMs, long maxWaitMs, long warmupMs) {
    state = new double[tokens][]
    for (int i = 0; i < tokens; i++) state[i] = [0d, -1d, 0d, 0d] as double[]
    this.warmupMs = warmupMs
    perMs = targetRpm / tokens / 60000d
    // burstMs of the token's planned rate, at least one request.
    cap = Math.max(1d, perMs * burstMs)
    this.defaultWaitMs = defaultWaitMs
    this.maxWaitMs = maxWaitMs
  }

  int getTokens() { state.length }

  /**
   * At an arrival: the next token round-robin, or -1 - (that token) when the arrival is dropped because the token
   * rests, is over its cap (1.25 x its planned rate) or, while warming up, has a request in flight.
   * A token starts with one credit, not a full bucket, so the timer's start-up catch-up cannot burst on it.
   */
  int pick(long now) {
    firstArrival.compareAndSet(-1L, now)
    boolean warming = now - firstArrival.get() < warmupMs
    int i = (int) (rr.getAndIncrement() % state.length)
    double[] s = state[i]
    boolean send
    synchronized (s) {
      if (now < s[2] || (warming && s[3] >= 1d)) {
        send = false
      } else {
        s[0] = s[1] < 0d ? 1d : Math.min(cap, s[0] + (now - s[1]) * perMs * 1.25d)
        s[1] = (double) now
        send = s[0] >= 1d
        if (send) {
          s[0] -= 1d
          s[3] += 1d
        }
      }
    }
    if (!send) skipped.incrementAndGet()
    // A drop returns -1 - i, so the caller can say which token dropped it.
    return send ? i : -1 - i
  }

  /** After each request on token i: on a 429, rests the token for Retry-After (capped); the wait in ms, else -1. */
  long onResponse(String code, String headers, int i, long now) {
    if (i < 0 || i >= state.length) return -1L
    long waitMs = code == '429' ? Math.min(maxWaitMs, retryAfterMs(headers, now, defaultWaitMs)) : -1L
    double[] s = state[i]
    synchronized (s) {
      if (waitMs >= 0) s[2] = Math.max(s[2], (double) (now + waitMs))
      s[3] = Math.max(0d, s[3] - 1d)
    }
    return waitMs
  }

  /** When token i rests until (epoch ms), 0 when it does not. */
  long restsUntil(int i) {
    double[] s = state[i]
    synchronized (s) { return (long) s[2] }
  }

  /** Retry-After from raw response headers (x-sim-retry-after-ms, seconds or an HTTP date), ms; fallback when absent. */
  static long retryAfterMs(String headers, long now, long fallback) {
    Matcher sim = SIM_WAIT.matcher(headers ?: '')
    if (sim.find()) return (long) Double.parseDouble(sim.group(1))
    Matcher m = RETRY_AFTER.matcher(headers ?: '')
    if (!m.find()) return fallback
    String value = m.group(1).trim()
    if (SECONDS.matcher(value).matches()) return (long) (Double.parseDouble(value) * 1000d)
    try {
      def when = java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
      return Math.max(0L, when.toInstant().toEpochMilli() - now)
    } catch (Exception ignored) {
      return fallback
    }
  }

  /** Failure n (1-based) of a token round: a draw in [half, whole] of min(8 s, 1 s x 2^(n-1)). */
  static long backoffMs(int failures, double random) {
    long ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS << Math.min(20, Math.max(0, failures - 1)))
    return (long) (ceiling * (0.5d + 0.5d * random))
  }

  /**
   * Why a token request is worth retrying, or null when it is not (200, refused credentials, ...):
   * 429; Genesys's token-creation limit, HTTP 400 invalid_request with "rate limit exceeded" in its
   * description; a 5xx or 408; or no HTTP answer at all (connection refused or reset, DNS, timeout).
   */
  static String retryReason(String code, String body) {
    if (code == '429') return '429'
    String text = (body ?: '').toLowerCase(Locale.ROOT)
    if (code == '400' && text.contains('invalid_request') && text.contains('rate limit exceeded')) return 'rate-limit-400'
    if (code == '408' || code.startsWith('5')) return code
    if (!Pattern.matches('[0-9]{3}', code)) return 'connection'
    return null
  }
}

SampleResult.setIgnore()
String setting(String name, String fallback) {
  String v = vars.get(name)
  return v == null || v.trim().isEmpty() ? fallback : v.trim()
}
LoadlabGate build() {
  return new LoadlabGate(
    Integer.parseInt(setting('TOKENS_PER_SHARD', '1')),
    Double.parseDouble(setting('TARGET_RPM', '60')),
    2000d,
    (long) (Double.parseDouble(setting('RETRY_AFTER_DEFAULT_SEC', '3')) * 1000),
    (long) (Double.parseDouble(setting('RETRY_AFTER_MAX_SEC', '120')) * 1000),
    (long) (Double.parseDouble(setting('GATE_WARMUP_SEC', '5')) * 1000))
}
// Warm-up on a scratch gate: every path the main threads will take, before the timer releases arrivals.
LoadlabGate scratch = build()
long now = System.currentTimeMillis()
String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC))
for (int k = 0; k < 200; k++) {
  scratch.pick(now + k * 100)
  scratch.onResponse(k % 2 == 0 ? '429' : '200', 'Retry-After: 1\nx-sim-retry-after-ms: 5\n', k % scratch.tokens, now)
  scratch.onResponse('429', 'Retry-After: ' + date + '\n', 0, now)
  scratch.onResponse('429', '', 0, now)
  scratch.restsUntil(0)
  LoadlabGate.backoffMs(1 + k % 6, 0.5d)
  LoadlabGate.retryReason(k % 2 == 0 ? '400' : 'Non HTTP response code: java.net.ConnectException', '{"error":"invalid_request","description":"rate limit exceeded"}')
}
String.format(Locale.ROOT, '%.3f', 1.5d)
props.putIfAbsent('loadlab.gate', build())
log.info('loadlab: arrival gate ready for ' + scratch.tokens + ' token(s), warmed in ' + (System.currentTimeMillis() - now) + ' ms')
`;
