#!/usr/bin/env bash
# Runs one JMeter shard on Fargate: fetch the plan and the shard's OAuth client secret, wait for
# the common start time, run JMeter non-GUI with the shard's budget as -J properties, upload the JTL
# (also after a failure or a StopTask, so the report can still be partial), then check from the JTL
# that the shard ran its load and say so in the exit code.
#
# Required: SHARD_INDEX, CLIENT_SECRET_ARN, PLAN_S3_URI, RESULTS_S3_URI, GENESYS_API_BASE, GENESYS_LOGIN_BASE,
#           AWS_REGION (the task definition sets it and AWS_DEFAULT_REGION, which the AWS CLI reads)
# Optional (default: the plan's budgeted value): TARGET_RPM, TOKENS_PER_SHARD, THREADS, DURATION_SEC, RAMP_UP_SEC
# Optional: MAX_ERROR_SHARE, MAX_429_SHARE (the shard's checks, default 0.05 each), TEST_ID, SCENARIO,
#           LOADLAB_ENV, SHARD_COUNT (logged, so a task's log names its test), START_AT (ISO time all
#           shards wait for), PARAMS_S3_URI (ids CSV), EXTRA_JMETER_ARGS (appended),
#           WORK_DIR (default /work), JMETER_BIN (default jmeter)
# RESULTS_S3_URI ending in "/" is a prefix: the shard writes <prefix>shard-<SHARD_INDEX>.jtl and .log.
#
# Exit codes (docs/runners.md; lib/runners/shard-exit.ts names the same numbers for npm run loadtest):
readonly EXIT_JMETER=1      # JMeter itself exited non-zero
readonly EXIT_INPUT=2       # bad or missing input: variables, plan, ids, secret
readonly EXIT_UPLOAD=3      # the results could not be uploaded
readonly EXIT_TOKENS=4      # fewer access tokens than planned (TOKENS_PER_SHARD)
readonly EXIT_NO_SAMPLES=5  # no request besides token requests in the results
readonly EXIT_ERRORS=6      # share of failed requests (429 aside) above MAX_ERROR_SHARE
readonly EXIT_THROTTLED=7   # share of 429 responses above MAX_429_SHARE
readonly EXIT_STOPPED=8     # stopped by SIGTERM (ECS StopTask) before the end; results uploaded
set -euo pipefail

log() { printf '%s loadlab shard %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SHARD_INDEX:-?}" "$*" >&2; }
die() { log "error: $*"; exit "$EXIT_INPUT"; }

missing=()
for var in SHARD_INDEX CLIENT_SECRET_ARN PLAN_S3_URI RESULTS_S3_URI GENESYS_API_BASE GENESYS_LOGIN_BASE AWS_REGION; do
  [[ -n "${!var:-}" ]] || missing+=("$var")
done
((${#missing[@]} == 0)) || die "missing environment variable(s): ${missing[*]} (the task definition and the state machine's container overrides set them)"
# The AWS CLI reads AWS_DEFAULT_REGION (the SDKs AWS_REGION); never depend on the platform setting either.
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
[[ "$SHARD_INDEX" =~ ^[0-9]+$ ]] || die "SHARD_INDEX must be a whole number (got '$SHARD_INDEX')"
for var in TARGET_RPM TOKENS_PER_SHARD THREADS DURATION_SEC RAMP_UP_SEC MAX_ERROR_SHARE MAX_429_SHARE; do
  value="${!var:-}"
  [[ -z "$value" || "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$var must be a number (got '$value')"
done
for var in MAX_ERROR_SHARE MAX_429_SHARE; do
  [[ -z "${!var:-}" || "${!var}" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || die "$var must be a share from 0 to 1 (got '${!var}')"
done
[[ "$PLAN_S3_URI" == s3://* ]] || die "PLAN_S3_URI must be an s3:// address (got '$PLAN_S3_URI')"
[[ "$RESULTS_S3_URI" == s3://* ]] || die "RESULTS_S3_URI must be an s3:// address (got '$RESULTS_S3_URI')"

work="${WORK_DIR:-/work}"
jmeter_bin="${JMETER_BIN:-jmeter}"
mkdir -p "$work/results"
shard="shard-${SHARD_INDEX}"
jtl="$work/results/$shard.jtl"
jlog="$work/results/$shard.log"
if [[ "$RESULTS_S3_URI" == */ ]]; then
  jtl_dest="${RESULTS_S3_URI}${shard}.jtl"
  log_dest="${RESULTS_S3_URI}${shard}.log"
else
  jtl_dest="$RESULTS_S3_URI"
  log_dest="${RESULTS_S3_URI%.jtl}.log"
fi

# scheme host port of a base URL such as https://api.mypurecloud.com or http://127.0.0.1:8080
split_url() {
  local url="$1" scheme rest hostport
  [[ "$url" =~ ^(https?)://([^/]+) ]] || die "$2 must be an http(s) URL (got '$url')"
  scheme="${BASH_REMATCH[1]}"
  hostport="${BASH_REMATCH[2]}"
  if [[ "$hostport" == *:* ]]; then
    printf '%s %s %s\n' "$scheme" "${hostport%%:*}" "${hostport##*:}"
  else
    printf '%s %s %s\n' "$scheme" "$hostport" ""
  fi
}
read -r api_scheme api_host api_port <<<"$(split_url "$GENESYS_API_BASE" GENESYS_API_BASE)"
read -r login_scheme login_host login_port <<<"$(split_url "$GENESYS_LOGIN_BASE" GENESYS_LOGIN_BASE)"

# ECS StopTask (a failed sibling shard, a cancelled test) sends SIGTERM: before JMeter runs the shard
# just stops; while it runs, JMeter's stoptest.sh (UDP, loopback, on stop_port) ends the test so the
# JTL is closed and uploaded; a JMeter that has not ended 30 s later gets SIGTERM itself.
stopped=0
jmeter_pid=""
stop_port="${JMETER_STOP_PORT:-4445}"
[[ "$stop_port" =~ ^[0-9]+$ ]] || die "JMETER_STOP_PORT must be a port number (got '$stop_port')"
watchdog=""
# shellcheck disable=SC2317 # run by the trap below
on_term() {
  stopped=1
  log "stop requested; ending the test"
  [[ -n "$jmeter_pid" ]] || return 0
  if command -v stoptest.sh >/dev/null 2>&1 && stoptest.sh "$stop_port" >/dev/null 2>&1; then
    (sleep 30 && kill -TERM "$jmeter_pid" 2>/dev/null) &
    watchdog=$!
  else
    kill -TERM "$jmeter_pid" 2>/dev/null || true
  fi
}
trap on_term TERM INT

log "environment ${LOADLAB_ENV:-?}, test ${TEST_ID:-?} (${SCENARIO:-?}): shard ${SHARD_INDEX} of ${SHARD_COUNT:-?}; fetching the plan ${PLAN_S3_URI}"
aws s3 cp --only-show-errors "$PLAN_S3_URI" "$work/plan.jmx" ||
  die "could not fetch the plan ${PLAN_S3_URI}: npm run loadtest uploads it; for a start by hand, upload one first (npm run jmx writes it)"
# A plan that reads ids would otherwise run with every request failing on unresolved ${...} paths.
if [[ -z "${PARAMS_S3_URI:-}" ]] && grep -q '__P(PARAMS_CSV,' "$work/plan.jmx"; then
  die "the plan reads ids from a CSV (property PARAMS_CSV) but PARAMS_S3_URI is empty: start the test with npm run loadtest -- --params <ids.csv>, or upload the CSV beside the plan as <scenario>.params and add \"params\": true to the execution input"
fi

params_args=()
if [[ -n "${PARAMS_S3_URI:-}" ]]; then
  log "fetching ids ${PARAMS_S3_URI}"
  aws s3 cp --only-show-errors "$PARAMS_S3_URI" "$work/params.csv" ||
    die "could not fetch the ids ${PARAMS_S3_URI}: upload the CSV there (npm run loadtest -- --params <ids.csv> does)"
  params_args=("-JPARAMS_CSV=$work/params.csv")
fi

# The client secret goes into a private properties file, never onto a command line or into a log.
umask 077
secret_json="$work/secret.json"
secret_props="$work/secret.properties"
trap 'rm -f "$secret_json" "$secret_props"' EXIT
aws secretsmanager get-secret-value --secret-id "$CLIENT_SECRET_ARN" --query SecretString --output text >"$secret_json" ||
  die "could not read the OAuth client secret ${CLIENT_SECRET_ARN} (the AWS CLI says why, above): check that it exists and that the shard's task role may read it"
# Only the reason goes to the log (a JSON error names a position, never the content).
why="$(python3 -c '
import json, sys
def esc(v):
    # java.util.Properties escaping
    return "".join("\\" + c if c in "\\:=#!" else c for c in v).replace("\n", "\\n")
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        s = json.load(f)
    cid, secret = s["clientId"], s["clientSecret"]
except Exception as e:
    sys.exit("%s: %s" % (type(e).__name__, e))
print("CLIENT_ID=" + esc(cid))
print("CLIENT_SECRET=" + esc(secret))
' "$secret_json" 2>&1 >"$secret_props")" || die "the secret ${CLIENT_SECRET_ARN} must be JSON {\"clientId\", \"clientSecret\"} (${why})"
rm -f "$secret_json"
umask 022

# All shards begin together: wait for START_AT (an ISO time set once by the state machine).
if [[ -n "${START_AT:-}" ]]; then
  start_ms="$(date -u -d "$START_AT" +%s%3N 2>/dev/null)" || die "START_AT must be an ISO time such as 2026-11-23T10:00:00Z (got '$START_AT')"
  now_ms="$(date -u +%s%3N)"
  wait_ms=$((start_ms - now_ms))
  if ((wait_ms > 0 && stopped == 0)); then
    log "waiting $((wait_ms / 1000)) s for START_AT ${START_AT}"
    # In the background, so a SIGTERM ends the wait at once.
    sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))" &
    wait $! || true
    # Interrupted: the sleep must not outlive the shard (it holds the task's output open).
    kill $! 2>/dev/null || true
  elif ((wait_ms < -60000)); then
    log "warning: START_AT ${START_AT} passed $((-wait_ms / 1000)) s ago; starting now, late"
  fi
fi

props=(
  "-JAPI_PROTOCOL=$api_scheme" "-JAPI_HOST=$api_host" "-JAPI_PORT=$api_port"
  "-JLOGIN_PROTOCOL=$login_scheme" "-JLOGIN_HOST=$login_host" "-JLOGIN_PORT=$login_port"
  "-JSHARD_INDEX=$SHARD_INDEX"
)
for var in TARGET_RPM TOKENS_PER_SHARD THREADS DURATION_SEC RAMP_UP_SEC; do
  [[ -z "${!var:-}" ]] || props+=("-J$var=${!var}")
done
extra=()
# shellcheck disable=SC2206 # word splitting is the point: extra flags for JMeter
[[ -z "${EXTRA_JMETER_ARGS:-}" ]] || extra=(${EXTRA_JMETER_ARGS})

upload() {
  local status=0
  if [[ -s "$jtl" ]]; then
    aws s3 cp --only-show-errors "$jtl" "$jtl_dest" || status=1
    log "results uploaded to $jtl_dest"
  else
    log "warning: no results to upload ($jtl is empty or missing)"
  fi
  [[ ! -f "$jlog" ]] || aws s3 cp --only-show-errors "$jlog" "$log_dest" || status=1
  return $status
}

# The shard's verdict from its JTL (header-driven CSV, as loadlab.properties writes it): exits 0 or one
# of EXIT_TOKENS, EXIT_NO_SAMPLES, EXIT_ERRORS, EXIT_THROTTLED with one line saying why. Token requests
# (label "POST /oauth/token", as the generated plans name them) count against TOKENS_PER_SHARD only.
check_results() {
  python3 - "$jtl" "${TOKENS_PER_SHARD:-1}" "${MAX_ERROR_SHARE:-0.05}" "${MAX_429_SHARE:-0.05}" \
    "$EXIT_TOKENS" "$EXIT_NO_SAMPLES" "$EXIT_ERRORS" "$EXIT_THROTTLED" <<'PY'
import csv, math, sys
path, wanted, max_err, max_429 = sys.argv[1], math.ceil(float(sys.argv[2])), float(sys.argv[3]), float(sys.argv[4])
x_tokens, x_none, x_err, x_429 = (int(a) for a in sys.argv[5:9])
tokens_tried = tokens_ok = requests = failed = throttled = 0
try:
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        rows = csv.reader(f)
        header = next(rows, [])
        col = {name: i for i, name in enumerate(header)}
        if not {"label", "responseCode", "success"} <= col.keys():
            print("no readable samples: %s has no header with label, responseCode and success" % path)
            sys.exit(x_none)
        lab, code, ok = col["label"], col["responseCode"], col["success"]
        for r in rows:
            if len(r) < len(header):
                continue
            if r[lab] == "POST /oauth/token":
                tokens_tried += 1
                tokens_ok += r[ok] == "true" and r[code] == "200"
            else:
                requests += 1
                throttled += r[code] == "429"
                failed += r[ok] != "true" and r[code] != "429"
except FileNotFoundError:
    pass
if tokens_tried and tokens_ok < wanted:
    print("got %d of %d access tokens (%d token requests); is the login host reachable and the client valid?" % (tokens_ok, wanted, tokens_tried))
    sys.exit(x_tokens)
if requests == 0:
    print("no requests in the results (only %d token requests)" % tokens_tried)
    sys.exit(x_none)
summary = "%d requests, %d failed (%.2f %%), %d answered 429 (%.2f %%)" % (
    requests, failed, 100.0 * failed / requests, throttled, 100.0 * throttled / requests)
if failed / requests > max_err:
    print("%s: failed share over MAX_ERROR_SHARE %g" % (summary, max_err))
    sys.exit(x_err)
if throttled / requests > max_429:
    print("%s: 429 share over MAX_429_SHARE %g" % (summary, max_429))
    sys.exit(x_429)
print(summary)
PY
}

((stopped == 0)) || { log "stopped before JMeter started; nothing to upload"; exit "$EXIT_STOPPED"; }
log "running JMeter: target ${TARGET_RPM:-plan default} requests/min, ${TOKENS_PER_SHARD:-plan default} token(s), API ${api_host}"
"$jmeter_bin" -n -t "$work/plan.jmx" -l "$jtl" -j "$jlog" -q "$secret_props" "${props[@]}" "${params_args[@]}" "${extra[@]}" \
  "-Jjmeterengine.nongui.port=$stop_port" "-Jjmeterengine.nongui.maxport=$stop_port" &
jmeter_pid=$!
set +e
wait "$jmeter_pid"
status=$?
# A trapped signal interrupts wait; wait again for JMeter to finish writing.
while kill -0 "$jmeter_pid" 2>/dev/null; do
  wait "$jmeter_pid"
  status=$?
done
set -e
[[ -z "$watchdog" ]] || kill "$watchdog" 2>/dev/null || true
rm -f "$secret_props"
log "JMeter exited with status $status"
if ((stopped)); then
  verdict=$EXIT_STOPPED
  log "error: stopped before the end of the test (exit $EXIT_STOPPED)"
elif ((status != 0)); then
  verdict=$EXIT_JMETER
  log "error: JMeter failed (status $status; its log is uploaded beside the results)"
else
  set +e
  why="$(check_results)"
  verdict=$?
  set -e
  if ((verdict == 0)); then log "ran its load: $why"; else log "error: $why (exit $verdict)"; fi
fi
upload || { log "error: uploading results failed"; exit "$EXIT_UPLOAD"; }
exit "$verdict"
