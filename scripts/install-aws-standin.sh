#!/usr/bin/env bash
# Installs the local AWS stand-in of the entry script's end-to-end test, pinned, into .cache/aws-venv
# (gitignored): moto's server mode (S3 and Secrets Manager on a loopback port) and the AWS CLI that
# loadtest/entrypoint.sh calls, from PyPI (scripts/aws-standin/requirements.txt, every dependency held
# by scripts/aws-standin/constraints.txt). A second run with the same pins does nothing.
# Usage: scripts/install-aws-standin.sh   (.ci/run runs it before the real-JMeter suite)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/aws-venv
PINS=scripts/aws-standin
mkdir -p .cache

stamp=$(cat "$PINS/requirements.txt" "$PINS/constraints.txt" | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$stamp" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "error: python3 not found (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
  echo "installing moto (server) and the AWS CLI into $VENV (PyPI; a minute or two)…"
  start=$SECONDS
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    -r "$PINS/requirements.txt" -c "$PINS/constraints.txt"
  echo "$stamp" > "$VENV/.pins"
  echo "  done in $((SECONDS - start)) s"
fi
if ! "$VENV/bin/aws" --version >/dev/null 2>&1 || [ ! -x "$VENV/bin/moto_server" ]; then
  echo "error: $VENV has no working aws or moto_server; remove it and run this again" >&2
  exit 1
fi
