#!/usr/bin/env bash
# actionlint and zizmor over .github/workflows; exits non-zero on any finding. zizmor runs offline
# (no GitHub API) with its default persona and .github/zizmor.yml, where each disabled audit says
# why. Needs scripts/install-scanners.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in .cache/bin/actionlint .cache/venv/bin/zizmor; do
  [ -x "$tool" ] || { echo "error: $tool not found; run scripts/install-scanners.sh" >&2; exit 1; }
done

echo "actionlint $(.cache/bin/actionlint -version | head -1) over .github/workflows…"
# shellcheck is optional: actionlint checks run: scripts with it when it is on PATH.
.cache/bin/actionlint -no-color
echo "  no findings"

echo "$(.cache/venv/bin/zizmor --version) over .github/workflows…"
.cache/venv/bin/zizmor --offline --no-progress --config .github/zizmor.yml .github/workflows
