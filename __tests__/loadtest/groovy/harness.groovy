// Runs the plan's JSR223 scripts with stand-ins for JMeter's bindings (vars, props, prev, ctx, log)
// and prints what they did as JSON. Usage: groovy harness.groovy <dir with the scripts as *.groovy>
import groovy.json.JsonOutput

class Vars {
  Map<String, Object> m = [:]
  String get(String k) { def v = m[k]; v == null ? null : v.toString() }
  void put(String k, String v) { m[k] = v }
  void putObject(String k, Object v) { m[k] = v }
  Object getObject(String k) { m[k] }
}
class Prev {
  String code = '200'; String headers = ''; String body = ''; String message = 'OK'; boolean stop = false; String label = 'GET /api/v2/scripts'; boolean ignore = false
  boolean isIgnore() { ignore }
  String getResponseCode() { code }
  String getResponseHeaders() { headers }
  String getResponseDataAsString() { body }
  void setResponseMessage(String m) { message = m }
  void setStopTest(boolean b) { stop = b }
  boolean isSuccessful() { code.startsWith('2') }
  String getSampleLabel() { label }
}
class GateResult {
  boolean ignored = false; String label; String code; String message; boolean success = false
  void setIgnore() { ignored = true }
  void setSampleLabel(String l) { label = l }; void setResponseCode(String c) { code = c }; void setResponseMessage(String m) { message = m }; void setSuccessful(boolean b) { success = b }
}
class FakeThread { long endTime = 0; boolean stopped = false; long getEndTime() { endTime }; void stop() { stopped = true } }
class Ctx { FakeThread thread = new FakeThread(); FakeThread getThread() { thread } }
class Log { List<String> lines = []; void info(String s) { lines << 'INFO ' + s }; void warn(String s) { lines << 'WARN ' + s }; void error(String s) { lines << 'ERROR ' + s } }

def dir = new File(args[0])
def script = { String name -> new File(dir, name + '.groovy').text }
def run = { String name, Map b ->
  def binding = new Binding(b)
  new GroovyShell(binding).evaluate(script(name))
}
// Compiled first, as JMeter's JSR223 cache does, so timings measure the script, not the compiler.
def compiled = { String name, Map b -> new GroovyShell(new Binding(b)).parse(script(name)) }
def out = [:]

// The arrival gate (setUp): built from the settings, warmed on a scratch instance, published once.
def newGate = { Map settings ->
  def p = new Properties(); def v = new Vars(); settings.each { k, val -> v.put(k, val) }
  def l = new Log(); def r = new GateResult()
  run('gate-setup', [vars: v, props: p, prev: null, ctx: new Ctx(), log: l, SampleResult: r])
  [props: p, gate: p.get('loadlab.gate'), log: l, ignored: r.ignored]
}
def g0 = newGate([TOKENS_PER_SHARD: '3', TARGET_RPM: '600', RETRY_AFTER_MAX_SEC: '120'])
out.gateSetup = [ignored: g0.ignored, tokens: g0.gate.tokens, skipped: g0.gate.skipped.get(), rr: g0.gate.rr.get(), log: g0.log.lines]

// 1. Retry-After on a 429: token rested under its lock, sample tagged, thread not slept.
def props = g0.props
def vars = new Vars(); vars.put('loadlab_token_index', '1')
def prev = new Prev(code: '429', headers: 'HTTP/1.1 429 Too Many Requests\nContent-Type: application/json\nRetry-After: 7\n')
def ctx = new Ctx(); ctx.thread.endTime = System.currentTimeMillis() + 30
def log = new Log()
def honour = compiled('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
long t0 = System.currentTimeMillis()
honour.run()
out.retry429 = [retryAfter: vars.get('loadlab_retry_after'), message: prev.message, pausedMs: g0.gate.restsUntil(1) - t0, sleptMs: System.currentTimeMillis() - t0, others: [g0.gate.restsUntil(0), g0.gate.restsUntil(2)]]

// 2. Not a 429 (a request, or the gate's own sample with no code): column cleared, nothing else.
vars.put('loadlab_retry_after', 'stale'); prev = new Prev(code: '200')
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.ok200 = [retryAfter: vars.get('loadlab_retry_after'), message: prev.message]
// The gate's own sample (ignored, no answer): left alone, even while a 429 token index is set.
vars.put('loadlab_token_index', '2'); prev = new Prev(code: '429', headers: 'Retry-After: 9\n', ignore: true)
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.gateSample = [retryAfter: vars.get('loadlab_retry_after'), rests: g0.gate.restsUntil(2)]

// 3. An HTTP-date Retry-After, no header at all (default), and the cap.
def g3 = newGate([TOKENS_PER_SHARD: '1', RETRY_AFTER_DEFAULT_SEC: '4', RETRY_AFTER_MAX_SEC: '60'])
def v3h = new Vars(); v3h.put('loadlab_token_index', '0')
def ra = { String headers ->
  run('honour-retry-after', [vars: v3h, props: g3.props, prev: new Prev(code: '429', headers: headers), ctx: ctx, log: log])
  v3h.get('loadlab_retry_after')
}
def date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30))
out.httpDate = Double.parseDouble(ra('Retry-After: ' + date + '\n'))
out.noHeader = ra('Content-Type: text/plain\n')
out.capped = ra('retry-after: 600\n')

// 4. Token rounds: TOKENS_PER_SHARD tokens; each failure backs off (jittered, at least Retry-After),
// within TOKEN_RETRY_WINDOW_SEC; the set is published at once. Sleeps are cut by the thread's end.
def tokenRound = { Map settings, List responses ->
  def g = newGate(settings)
  def v = new Vars(); settings.each { k, val -> v.put(k, val) }
  def l = new Log(); def c = new Ctx()
  g.props.setProperty('CLIENT_ID', 'id-1'); g.props.setProperty('CLIENT_SECRET', 's3cr3t')
  run('token-round-start', [vars: v, props: g.props, prev: null, ctx: c, log: l])
  c.thread.endTime = System.currentTimeMillis() + 20
  def steps = []
  for (r in responses) {
    if (v.get('loadlab_round_done') == 'true') break
    def p = new Prev(code: r.code, body: r.body ?: '', headers: r.headers ?: '')
    run('token-response', [vars: v, props: g.props, prev: p, ctx: c, log: l])
    steps << [done: v.get('loadlab_round_done'), published: g.props.get('loadlab.tokens')?.toList(), stop: p.stop, message: p.message]
  }
  def waits = l.lines.findAll { it.startsWith('WARN loadlab: token retry') }.collect { (it =~ /reason=(\S+) wait_ms=(\d+)/)[0] }.collect { [it[1], Long.parseLong(it[2])] }
  [basic: v.get('loadlab_basic'), steps: steps, waits: waits, retries: g.gate.tokenRetries.get(), log: l.lines]
}
def ok = { String t -> [code: '200', body: '{"access_token":"' + t + '","expires_in":3600}'] }
def limit400 = [code: '400', body: '{"error":"invalid_request","description":"rate limit exceeded; retry later"}']
def limit400b = [code: '400', body: '{"error":"invalid_request","error_description":"Rate limit exceeded (token creation)"}']
def refused = [code: 'Non HTTP response code: java.net.ConnectException', body: 'java.net.ConnectException: Connection refused']
def throttled = [code: '429', headers: 'Retry-After: 2\n']
def storm = tokenRound([TOKENS_PER_SHARD: '2'], [ok('tok-A'), limit400, refused, [code: '503'], throttled, limit400b, ok('tok-B')])
out.storm = storm
// Bounded: a store that never recovers ends the round within the window and stops the test (no tokens yet).
out.bounded = tokenRound([TOKENS_PER_SHARD: '1', TOKEN_RETRY_WINDOW_SEC: '3'], (1..20).collect { refused })
// A Retry-After longer than the window: gives up at once instead of waiting past it.
out.tooLong = tokenRound([TOKENS_PER_SHARD: '1', TOKEN_RETRY_WINDOW_SEC: '3'], [[code: '429', headers: 'Retry-After: 5\n'], ok('late')])
// Refused credentials, and a 400 that is not the rate limit: no retry, the test stops.
out.badCredentials = tokenRound([TOKENS_PER_SHARD: '3'], [[code: '401', body: '{"error":"invalid_client"}'], ok('never')])
out.badRequest = tokenRound([TOKENS_PER_SHARD: '1'], [[code: '400', body: '{"error":"invalid_request","description":"grant_type missing"}'], ok('never')])
// The backoff itself: bounded exponential, each draw in [half, whole] of min(8 s, 1 s x 2^(n-1)).
def G = g0.gate.getClass()
out.backoff = (1..7).collect { n -> [G.backoffMs(n, 0d), G.backoffMs(n, 1d)] }

// 6. Round-robin over the published tokens, at each arrival (a JSR223 Sampler whose result is ignored).
def g6 = newGate([TOKENS_PER_SHARD: '3', TARGET_RPM: '6000000', GATE_WARMUP_SEC: '0'])
props = g6.props
props.put('loadlab.tokens', ['t0', 't1', 't2'].asImmutable())
def gateResult = new GateResult()
def picked = []
5.times {
  Thread.sleep(2)
  run('pick-token', [vars: vars, props: props, prev: null, ctx: ctx, log: log, SampleResult: gateResult])
  picked << vars.get('loadlab_token') + '@' + vars.get('loadlab_token_index') + ':' + vars.get('loadlab_send')
}
out.picked = picked
out.gateIgnored = gateResult.ignored

// 6b. Token 1 rests (a 429 with Retry-After 60 s): its arrivals are dropped at once, the others go on.
g6.gate.onResponse('429', 'Retry-After: 60\n', 1, System.currentTimeMillis())
def resting = []
def pickCompiled = compiled('pick-token', [vars: vars, props: props, prev: null, ctx: ctx, log: log, SampleResult: gateResult])
long gt0 = System.currentTimeMillis()
6.times {
  Thread.sleep(2)
  pickCompiled.run()
  resting << (vars.get('loadlab_send') == 'true' ? vars.get('loadlab_token') + '@' + vars.get('loadlab_token_index') : 'drop')
}
out.resting = [picked: resting, skipped: g6.gate.skipped.get(), tookMs: System.currentTimeMillis() - gt0]
out.dropRecord = [label: gateResult.label, code: gateResult.code, message: gateResult.message, success: gateResult.success, token: vars.get('loadlab_token_index')]

// 6c. Start-up and catch-up: 600/min on one token (10/s). A burst of 40 arrivals at the first
// instant passes one request; 1 s later the token has earned 1.25 x 10 more; after a long stall
// the credit is capped at 2 s of the rate (20).
def g7 = newGate([TOKENS_PER_SHARD: '1', TARGET_RPM: '600', GATE_WARMUP_SEC: '0'])
long s0 = System.currentTimeMillis()
def burst = { long at, int n -> (1..n).count { g7.gate.pick(at) >= 0 } }
out.burst = [first: burst(s0, 40), afterOneSec: burst(s0 + 1000, 40), afterStall: burst(s0 + 60000, 40), skipped: g7.gate.skipped.get()]

// 6c2. Warm-up (GATE_WARMUP_SEC): a token carries one request at a time until its answer is
// recorded; afterwards requests overlap.
def g9 = newGate([TOKENS_PER_SHARD: '1', TARGET_RPM: '6000000', GATE_WARMUP_SEC: '5'])
long w0 = System.currentTimeMillis()
def wpick = { long at -> g9.gate.pick(at) >= 0 ? 'send' : 'drop' }
out.warmup = [
  wpick(w0), wpick(w0 + 10), wpick(w0 + 20),
  { g9.gate.onResponse('200', '', 0, w0 + 30); 'answer' }(),
  wpick(w0 + 40),
  { g9.gate.onResponse('429', 'x-sim-retry-after-ms: 100\n', 0, w0 + 50); 'answer 429' }(),
  wpick(w0 + 60), wpick(w0 + 160),
  // After 5 s: no longer one at a time.
  wpick(w0 + 6000), wpick(w0 + 6010), wpick(w0 + 6020),
]

// 6d. Atomic: 4 threads pick on 2 tokens without pause while a 429 rests token 0; every pick that
// began after onResponse returned must be dropped (none passes the gate once the rest is recorded).
def g8 = newGate([TOKENS_PER_SHARD: '2', TARGET_RPM: '60000000', GATE_WARMUP_SEC: '0'])
def rested = new java.util.concurrent.atomic.AtomicBoolean(false)
def stopAll = new java.util.concurrent.atomic.AtomicBoolean(false)
def after = new java.util.concurrent.atomic.AtomicLong(); def passedAfter = new java.util.concurrent.atomic.AtomicLong()
def pickers = (1..4).collect {
  Thread.start {
    while (!stopAll.get()) {
      boolean was = rested.get()
      int i = g8.gate.pick(System.currentTimeMillis())
      if (was) { after.incrementAndGet(); if (i == 0) passedAfter.incrementAndGet() }
    }
  }
}
Thread.sleep(200)
g8.gate.onResponse('429', 'x-sim-retry-after-ms: 60000\n', 0, System.currentTimeMillis())
rested.set(true)
Thread.sleep(200); stopAll.set(true); pickers*.join()
out.atomic = [picksAfter: after.get(), passedAfter: passedAfter.get()]

// 7. The switch expression: the producer runs first while jobId is unknown.
def v3 = new Vars()
// Compiled once, run many times, as JMeter's __groovy does.
def pick = new GroovyShell(new Binding([vars: v3])).parse(script('switch'))
def counts = [0, 0, 0]
300.times { counts[(int) pick.run()]++ }
out.beforeJobId = counts.clone()
v3.put('jobId', 'j-1'); counts = [0, 0, 0]
3000.times { counts[(int) pick.run()]++ }
out.afterJobId = counts

// 8. The id extractor keeps the last good value.
def v4 = new Vars()
run('extract-jobid', [vars: v4, props: props, prev: new Prev(code: '202', body: '{"jobId":"abc-123"}'), ctx: ctx, log: log])
run('extract-jobid', [vars: v4, props: props, prev: new Prev(code: '429', body: '{"status":429}'), ctx: ctx, log: log])
out.jobId = v4.get('jobId')

println JsonOutput.toJson(out)
