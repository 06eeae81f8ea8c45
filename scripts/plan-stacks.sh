#!/usr/bin/env bash
# Terraform plan of the named stacks of one synthesized environment, in dependency order (the plan
# workflows run it after `npm run synth`). Writes plans/<stack>.json for each stack planned, and
# <stack>=<reason> lines into plans/failed.txt (a plan failed) and plans/waiting.txt (not planned,
# and why). A stack not named is reported with LOADLAB_UNPLANNED_REASON; whether it is deployed is
# read from the backend's listing (never its content), so a later stack that needs it is reported
# as waiting, not failed. Plans run with -lock=false: the plan roles cannot write lock files, and
# the workflows' concurrency group keeps deploys and destroys of the environment out.
# usage: scripts/plan-stacks.sh <env> <archive|genesys|runners>...
set -euo pipefail
env=$1
shift
mkdir -p plans
: > plans/failed.txt
: > plans/waiting.txt

# Whether a stack's state object exists (S3 backend: a listing; local backend: the file).
state_exists() {
  local dir=$1 stack=$2 bucket key
  bucket=$(jq -r '.terraform.backend.s3.bucket // empty' "$dir/cdk.tf.json")
  if [ -z "$bucket" ]; then
    [ -f "$dir/terraform.${stack}.tfstate" ]
    return
  fi
  key=$(jq -r '.terraform.backend.s3.key' "$dir/cdk.tf.json")
  aws s3api list-objects-v2 --bucket "$bucket" --prefix "$key" --query 'Contents[].Key' --output text | tr '\t' '\n' | grep -qxF "$key"
}

undeployed="" # an earlier stack with no state yet
for role in archive genesys runners; do
  stack="${env}-${role}"
  dir="cdktf.out/stacks/${stack}"
  [ -d "$dir" ] || continue # pr-* environments share their base's archive: no archive stack
  if [[ " $* " != *" ${role} "* ]]; then
    echo "${stack}=not planned here: ${LOADLAB_UNPLANNED_REASON:-not requested}" >> plans/waiting.txt
    state_exists "$dir" "$stack" || undeployed="${undeployed:-$stack}"
    continue
  fi
  echo "::group::terraform plan ${stack}"
  if terraform -chdir="$dir" init -input=false -no-color \
    && terraform -chdir="$dir" plan -input=false -lock=false -no-color -out=plan.tfplan \
    && terraform -chdir="$dir" show -json plan.tfplan > "plans/${stack}.json"; then
    echo "::endgroup::"
    if jq -e '(.prior_state.values.root_module.resources // []) | length == 0' "plans/${stack}.json" > /dev/null; then
      undeployed="${undeployed:-$stack}"
    fi
  else
    echo "::endgroup::"
    rm -f "plans/${stack}.json"
    if [ -n "$undeployed" ]; then
      # It reads something of a stack that is not deployed yet (outputs, or secrets found by name): expected.
      echo "::warning::${stack} not planned: it reads ${undeployed}, which is not deployed yet"
      echo "${stack}=not planned: it reads ${undeployed}, which is not deployed yet" >> plans/waiting.txt
    else
      echo "::error::terraform plan failed for ${stack}"
      echo "${stack}=terraform init or plan failed; see the plan job log" >> plans/failed.txt
    fi
  fi
done
