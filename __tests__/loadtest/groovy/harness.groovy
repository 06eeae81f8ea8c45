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
  String code = '200'; String headers = ''; String body = ''; String message = 'OK'; boolean stop = false; String label = 'GET /api/v2/scripts'
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
def out = [:]

// 1. Retry-After on a 429: thread paused (cut to the end of the run), token paused, sample tagged.
def props = new Properties()
props.put('loadlab.pausedUntil', new java.util.concurrent.ConcurrentHashMap())
def vars = new Vars(); vars.put('RETRY_AFTER_MAX_SEC', '120'); vars.put('loadlab_token_index', '1')
def prev = new Prev(code: '429', headers: 'HTTP/1.1 429 Too Many Requests\nContent-Type: application/json\nRetry-After: 7\n')
def ctx = new Ctx(); ctx.thread.endTime = System.currentTimeMillis() + 30
def log = new Log()
long t0 = System.currentTimeMillis()
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.retry429 = [retryAfter: vars.get('loadlab_retry_after'), message: prev.message, pausedMs: props.get('loadlab.pausedUntil').get(1) - t0, sleptMs: System.currentTimeMillis() - t0]

// 2. Not a 429: column cleared, nothing else.
vars.put('loadlab_retry_after', 'stale'); prev = new Prev(code: '200')
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.ok200 = [retryAfter: vars.get('loadlab_retry_after'), message: prev.message]

// 3. An HTTP-date Retry-After, no header at all (default), and the cap.
def date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30))
prev = new Prev(code: '429', headers: 'Retry-After: ' + date + '\n')
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.httpDate = Double.parseDouble(vars.get('loadlab_retry_after'))
vars.put('RETRY_AFTER_DEFAULT_SEC', '4'); prev = new Prev(code: '429', headers: 'Content-Type: text/plain\n')
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.noHeader = vars.get('loadlab_retry_after')
vars.put('RETRY_AFTER_MAX_SEC', '60'); prev = new Prev(code: '429', headers: 'retry-after: 600\n')
run('honour-retry-after', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
out.capped = vars.get('loadlab_retry_after')

// 4. Token rounds: TOKENS_PER_SHARD tokens, a 429 in between, then the set is published at once.
props = new Properties(); vars = new Vars(); vars.put('TOKENS_PER_SHARD', '2'); log = new Log(); ctx = new Ctx(); ctx.thread.endTime = 0
props.setProperty('CLIENT_ID', 'id-1'); props.setProperty('CLIENT_SECRET', 's3cr3t')
run('token-round-start', [vars: vars, props: props, prev: null, ctx: ctx, log: log])
out.basic = vars.get('loadlab_basic')
def steps = []
[[code: '200', body: '{"access_token":"tok-A","expires_in":3600}'],
 [code: '429', headers: 'x-sim-retry-after-ms: 5\n'],
 [code: '200', body: '{"access_token":"tok-B","expires_in":3600}']].each { r ->
  prev = new Prev(code: r.code, body: r.body ?: '', headers: r.headers ?: '')
  run('token-response', [vars: vars, props: props, prev: prev, ctx: ctx, log: log])
  steps << [done: vars.get('loadlab_round_done'), published: props.get('loadlab.tokens')?.toList(), stop: prev.stop]
}
out.tokenSteps = steps

// 5. Bad credentials with no tokens yet: the test stops.
def props2 = new Properties(); def vars2 = new Vars(); vars2.put('TOKENS_PER_SHARD', '3')
run('token-round-start', [vars: vars2, props: props2, prev: null, ctx: ctx, log: log])
prev = new Prev(code: '401', body: '{"error":"invalid_client"}')
run('token-response', [vars: vars2, props: props2, prev: prev, ctx: ctx, log: log])
out.badCredentials = [stop: prev.stop, done: vars2.get('loadlab_round_done'), tokens: props2.get('loadlab.tokens')]

// 6. Round-robin over the published tokens, at each arrival (a JSR223 Sampler whose result is ignored).
props.put('loadlab.tokens', ['t0', 't1', 't2'].asImmutable())
def gateResult = new GateResult()
def picked = []
5.times {
  run('pick-token', [vars: vars, props: props, prev: null, ctx: ctx, log: log, SampleResult: gateResult])
  picked << vars.get('loadlab_token') + '@' + vars.get('loadlab_token_index') + ':' + vars.get('loadlab_send')
}
out.picked = picked
out.gateIgnored = gateResult.ignored

// 6b. Token 1 rests (Retry-After 60 s): its arrivals are dropped at once, the others go on.
props.get('loadlab.pausedUntil').put(1, System.currentTimeMillis() + 60000)
def resting = []
long g0 = System.currentTimeMillis()
6.times {
  run('pick-token', [vars: vars, props: props, prev: null, ctx: ctx, log: log, SampleResult: gateResult])
  resting << (vars.get('loadlab_send') == 'true' ? vars.get('loadlab_token') + '@' + vars.get('loadlab_token_index') : 'drop')
}
out.resting = [picked: resting, skipped: props.get('loadlab.skipped').get(), tookMs: System.currentTimeMillis() - g0]
out.dropRecord = [label: gateResult.label, code: gateResult.code, message: gateResult.message, success: gateResult.success, token: vars.get('loadlab_token_index')]

// 6c. The catch-up cap: 600/min on one token; a burst of 40 arrivals at once passes the bucket's
// 2 s of planned rate (20), then drops.
props.get('loadlab.pausedUntil').clear()
def v6 = new Vars(); v6.put('TARGET_RPM', '600')
def p6 = new Properties(); p6.putAll(props); p6.put('loadlab.tokens', ['only'].asImmutable())
p6.put('loadlab.rr', new java.util.concurrent.atomic.AtomicLong()); p6.put('loadlab.buckets', new java.util.concurrent.ConcurrentHashMap())
p6.put('loadlab.skipped', new java.util.concurrent.atomic.AtomicLong())
def sent = 0
// Compiled once, as JMeter's JSR223 cache does, so the 40 arrivals come within milliseconds.
def gate = new GroovyShell(new Binding([vars: v6, props: p6, prev: null, ctx: ctx, log: log, SampleResult: gateResult])).parse(script('pick-token'))
40.times {
  gate.run()
  if (v6.get('loadlab_send') == 'true') sent++
}
out.burst = [sent: sent, skipped: p6.get('loadlab.skipped').get()]

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
