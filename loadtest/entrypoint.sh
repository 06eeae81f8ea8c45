#!/usr/bin/env bash
# Runs one JMeter shard on Fargate: fetch the plan and the shard's OAuth client secret, wait for
# the common start time, run JMeter non-GUI with the shard's budget as -J properties, and upload
# the JTL (also after a failure or a StopTask, so the report can still be partial).
#
# Required: SHARD_INDEX, CLIENT_SECRET_ARN, PLAN_S3_URI, RESULTS_S3_URI, GENESYS_API_BASE, GENESYS_LOGIN_BASE
# Optional (default: the plan's budgeted value): TARGET_RPM, TOKENS_PER_SHARD, THREADS, DURATION_SEC, RAMP_UP_SEC
# Optional: TEST_ID, SCENARIO, LOADLAB_ENV, SHARD_COUNT (logged, so a task's log names its test),
#           START_AT (ISO time all shards wait for), PARAMS_S3_URI (ids CSV), EXTRA_JMETER_ARGS (appended),
#           WORK_DIR (default /work), JMETER_BIN (default jmeter)
# RESULTS_S3_URI ending in "/" is a prefix: the shard writes <prefix>shard-<SHARD_INDEX>.jtl and .log.
set -euo pipefail

log() { printf '%s loadlab shard %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SHARD_INDEX:-?}" "$*" >&2; }
die() { log "error: $*"; exit 2; }

missing=()
for var in SHARD_INDEX CLIENT_SECRET_ARN PLAN_S3_URI RESULTS_S3_URI GENESYS_API_BASE GENESYS_LOGIN_BASE; do
  [[ -n "${!var:-}" ]] || missing+=("$var")
done
((${#missing[@]} == 0)) || die "missing environment variable(s): ${missing[*]} (the state machine's container overrides set them)"
[[ "$SHARD_INDEX" =~ ^[0-9]+$ ]] || die "SHARD_INDEX must be a whole number (got '$SHARD_INDEX')"
for var in TARGET_RPM TOKENS_PER_SHARD THREADS DURATION_SEC RAMP_UP_SEC; do
  value="${!var:-}"
  [[ -z "$value" || "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$var must be a number (got '$value')"
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
secret_props="$work/secret.properties"
aws secretsmanager get-secret-value --secret-id "$CLIENT_SECRET_ARN" --query SecretString --output text |
  python3 -c '
import json, sys
def esc(v):
    # java.util.Properties escaping
    return "".join("\\" + c if c in "\\:=#!" else c for c in v).replace("\n", "\\n")
try:
    s = json.load(sys.stdin)
    cid, secret = s["clientId"], s["clientSecret"]
except Exception as e:
    sys.exit("the secret must be JSON {\"clientId\", \"clientSecret\"}: %s" % e)
print("CLIENT_ID=" + esc(cid))
print("CLIENT_SECRET=" + esc(secret))
' >"$secret_props" || die "could not read the OAuth client secret ${CLIENT_SECRET_ARN}"
umask 022

# All shards begin together: wait for START_AT (an ISO time set once by the state machine).
if [[ -n "${START_AT:-}" ]]; then
  start_ms="$(date -u -d "$START_AT" +%s%3N 2>/dev/null)" || die "START_AT must be an ISO time such as 2026-11-23T10:00:00Z (got '$START_AT')"
  now_ms="$(date -u +%s%3N)"
  wait_ms=$((start_ms - now_ms))
  if ((wait_ms > 0)); then
    log "waiting $((wait_ms / 1000)) s for START_AT ${START_AT}"
    sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
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

jmeter_pid=""
on_term() {
  # ECS StopTask (a failed sibling shard, or a cancelled test): stop JMeter so it closes the JTL.
  log "stop requested; ending the test"
  if [[ -n "$jmeter_pid" ]]; then
    if command -v stoptest.sh >/dev/null 2>&1; then stoptest.sh >/dev/null 2>&1 || kill -TERM "$jmeter_pid" 2>/dev/null || true; else kill -TERM "$jmeter_pid" 2>/dev/null || true; fi
  fi
}
trap on_term TERM INT

log "running JMeter: target ${TARGET_RPM:-plan default} requests/min, ${TOKENS_PER_SHARD:-plan default} token(s), API ${api_host}"
"$jmeter_bin" -n -t "$work/plan.jmx" -l "$jtl" -j "$jlog" -q "$secret_props" "${props[@]}" "${params_args[@]}" "${extra[@]}" &
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
rm -f "$secret_props"
log "JMeter exited with status $status"
upload || { log "error: uploading results failed"; exit 3; }
exit "$status"
