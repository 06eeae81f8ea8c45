#!/usr/bin/env bash
# Regenerates the Genesys Cloud provider bindings in .gen/providers/genesyscloud from the
# provider schema kept beside the repository (../shared/genesyscloud). Where the Terraform
# registry is reachable, `npx cdktf get` does the same from the registry instead.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
schema_dir="${GENESYSCLOUD_SCHEMA_DIR:-$here/../shared/genesyscloud}"
if [ ! -f "$schema_dir/provider-schema.json" ]; then
  echo "gen:genesyscloud: no provider schema at $schema_dir/provider-schema.json." >&2
  echo "Set GENESYSCLOUD_SCHEMA_DIR to the folder holding provider-schema.json and generate-bindings.mjs, or run 'npx cdktf get' where the Terraform registry is reachable." >&2
  exit 2
fi
# The resources and data sources the project uses; keep in step with lib/ imports.
names=(
  genesyscloud_oauth_client
  genesyscloud_auth_role
  genesyscloud_integration
  genesyscloud_integration_credential
  genesyscloud_recording_media_retention_policy
  genesyscloud_processautomation_trigger
  data.genesyscloud_auth_division_home
  data.genesyscloud_organizations_me
  data.genesyscloud_auth_role
  data.genesyscloud_auth_division
  data.genesyscloud_routing_queue
)
rm -rf "$here/.gen/providers/genesyscloud"
cd "$here"  # the generator loads @cdktf/provider-generator from ./node_modules
node "$schema_dir/generate-bindings.mjs" "$schema_dir/provider-schema.json" .gen "${names[@]}"
