#!/usr/bin/env bash
# checkov over every synthesized stack of three representative environments: the example, a pr-*
# environment derived from it, and the example moved to the FedRAMP Genesys region (us-east-2),
# plus the account's CI identities (loadlab-ci, from ci-identities/example.json).
# Each is synthesized by main.ts, as `cdktf synth` does, into .cache/scan/<env>/, and checkov reads
# each stack's cdk.tf.json with its terraform_json framework. Skipped checks and their reasons:
# .checkov.yaml. Exits non-zero on any failed check. Needs scripts/install-scanners.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
CHECKOV=.cache/venv/bin/checkov
[ -x "$CHECKOV" ] || { echo "error: $CHECKOV not found; run scripts/install-scanners.sh" >&2; exit 1; }

OUT=.cache/scan
rm -rf "$OUT"
mkdir -p "$OUT/envs"
cp environments/example.json "$OUT/envs/"
node -e '
  const fs = require("fs");
  const env = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  Object.assign(env, { name: "fedramp" });
  env.genesys.region = "us-east-2";
  env.aws.region = "us-east-2";
  fs.writeFileSync(process.argv[2], JSON.stringify(env, null, 2));
' environments/example.json "$OUT/envs/fedramp.json"

synth() {
  local name=$1
  echo "synthesizing $name…"
  mkdir -p "$OUT/$name"
  LOADLAB_ENV_DIR="$OUT/envs" LOADLAB_ENV=$name LOADLAB_BASE_ENV=example LOADLAB_CREATED_AT=2026-01-01T00:00:00Z \
    CDKTF_OUTDIR="$OUT/$name" node --import tsx main.ts
}
synth example
synth pr-1
synth fedramp
echo "synthesizing loadlab-ci…"
mkdir -p "$OUT/ci"
LOADLAB_CI=example CDKTF_OUTDIR="$OUT/ci" node --import tsx main.ts

files=("$OUT"/*/stacks/*/cdk.tf.json)
echo "checkov $("$CHECKOV" --version) over ${#files[@]} stacks: ${files[*]#$OUT/}"
args=()
for f in "${files[@]}"; do args+=(-f "$f"); done
"$CHECKOV" --config-file .checkov.yaml "${args[@]}"

# Negative control: checkov must still fail the constructs the retired hand-written rules caught.
node --import tsx scripts/checkov-canary.ts "$CHECKOV" "$OUT/canary"
