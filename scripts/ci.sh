#!/usr/bin/env bash
# The one CI definition. `.ci/run` (a clean clone, root, CI=true) and the pull-request workflow's
# check job (.github/workflows/pr.yml) both run it, as `npm run ci` and `npm run ci -- --pr`, so
# "what does CI run" has one answer: every step below, in this order. It installs what it needs
# (Debian packages, JMeter, the scanners, Node 24), runs every check and ends on one line,
# `tests: N passed, N failed, N skipped`; the exit code is non-zero when any step failed.
#
# What a pull-request run (--pr) skips, and why. This list is the only difference:
#   - real JMeter (npm run jmeter:install, Java 17 and Maven, npm run test:jmeter): about 4 minutes
#     on 2 cores on top of the rest, past what a check on every push should take; the generated
#     plans are still checked without JMeter (Groovy and the plan tests), and .ci/run runs it.
# Not a skip: the tests run on the Node that runs this script and then on Node 24 (the Lambdas'
# runtime); where that Node is 24 already (pr.yml's setup-node), the second pass would repeat the
# first, so it is left out on any machine.
#
# The environment synthesized and budgeted is LOADLAB_ENV (default example; pr.yml sets pr-<n>).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

pr=false
case "${1:-}" in
  --pr) pr=true ;;
  '') ;;
  *)
    echo "error: unknown option $1; usage: npm run ci [-- --pr]" >&2
    exit 2
    ;;
esac

step() { printf '\n== %s ==\n' "$*"; }
# Root on the CI machine; a GitHub runner's user installs packages with sudo.
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq && sudo_if_needed apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

step "install (npm ci)"
npm ci --no-audit --no-fund

# The report test opens report.html in a real headless browser (Debian's Chromium); the plan
# test runs the generated Groovy scripts in a real Groovy interpreter; actionlint checks the
# workflows' run: scripts with shellcheck.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v groovy >/dev/null 2>&1 || missing+=(groovy)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  step "install ${missing[*]} (Debian packages)"
  apt_install "${missing[@]}" || echo "warning: could not install ${missing[*]}; the browser and Groovy tests need them"
fi

# Real JMeter 5.6.3 for the real-JMeter suite: Java 17 and Maven from Debian, then JMeter assembled
# from Maven Central by loadtest/jmeter/pom.xml (every file checked against loadtest/jmeter/jmeter.sha256).
# LOADLAB_REQUIRE_JMETER=1 makes a missing JMeter fail that suite instead of skipping it.
if [ "$pr" = false ]; then
  jdk=()
  command -v java >/dev/null 2>&1 || jdk+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || jdk+=(maven)
  if [ ${#jdk[@]} -gt 0 ]; then
    step "install ${jdk[*]} (Debian packages)"
    apt_install "${jdk[@]}"
  fi
  step "install JMeter (npm run jmeter:install)"
  npm run --silent jmeter:install
  export LOADLAB_REQUIRE_JMETER=1
  # The entry script's end-to-end test (in the real-JMeter suite) runs loadtest/entrypoint.sh against a
  # local AWS stand-in: moto's server mode and the AWS CLI the script calls, pinned, from PyPI into
  # .cache/aws-venv (scripts/install-aws-standin.sh; a minute or two on a fresh machine).
  step "install the local AWS stand-in (scripts/install-aws-standin.sh)"
  bash scripts/install-aws-standin.sh
fi

step "lint"
npm run lint

step "typecheck"
npm run typecheck

step "synth (${LOADLAB_ENV:-example})"
npm run synth

# Exit 1 when a scenario or the pipeline is over budget; the table goes to the job summary in a workflow.
step "budget (${LOADLAB_ENV:-example})"
budget=$(mktemp)
npm run --silent budget | tee "$budget"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  { echo '### Rate-limit budget'; echo; echo '```text'; cat "$budget"; echo '```'; } >>"$GITHUB_STEP_SUMMARY"
fi

# Scanners, pinned: checkov and zizmor from PyPI into .cache/venv, actionlint from the Go module
# proxy into .cache/bin (scripts/install-scanners.sh; about a minute on a fresh machine).
step "install scanners"
bash scripts/install-scanners.sh

# checkov over every stack of the example, a pr-* and the FedRAMP environment (skips and their
# reasons: .checkov.yaml), then the canary that proves it still catches what retired rules caught.
step "checkov (synthesized stacks)"
bash scripts/scan-iac.sh

step "actionlint and zizmor (workflows)"
bash scripts/scan-workflows.sh

summary() { # label, result files...: prints the totals; an unreadable file counts as a failure
  # shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
  node -e 'let p = 0, f = 0, s = 0; for (const file of process.argv.slice(2)) { try { const r = JSON.parse(require("fs").readFileSync(file, "utf8")); p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests; } catch { f += 1; } } console.log(`${process.argv[1]}: ${p} passed, ${f} failed, ${s} skipped`)' "$@" || true
}

step "test (Node $(node --version))"
results=()
status=0
results+=("$(mktemp)")
npm test -- --ci --json --outputFile="${results[-1]}" || status=$?
summary "tests on Node $(node --version)" "${results[-1]}"

if [ "$(node -p 'process.versions.node.split(".")[0]')" != 24 ]; then
  # The same synth and tests on Node 24, the Lambdas' runtime and the workflows' Node, from the npm
  # registry's `node` package (scripts/install-node24.sh; about 20 s on a fresh machine).
  step "Node 24: synth and tests"
  bash scripts/install-node24.sh
  results+=("$(mktemp)")
  (
    export PATH="$PWD/.cache/node24/bin:$PATH"
    node --version && npm run synth && npm test -- --ci --json --outputFile="${results[-1]}"
  ) || status=$?
  summary "tests on Node 24" "${results[-1]}"
fi

if [ "$pr" = false ]; then
  # The generated plans under real JMeter against the simulator, one JMeter at a time (about 4 min on 2 cores).
  step "test: real JMeter (npm run test:jmeter)"
  results+=("$(mktemp)")
  npm run test:jmeter -- --ci --json --outputFile="${results[-1]}" || status=$?
fi

# One plain closing line over every test run above.
summary tests "${results[@]}"
exit "$status"
