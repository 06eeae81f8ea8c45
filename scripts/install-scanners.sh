#!/usr/bin/env bash
# Installs the scanners, pinned, into .cache/ (gitignored):
#   checkov and zizmor from PyPI into the virtualenv .cache/venv (scanners/requirements.txt, every
#   dependency held by scanners/constraints.txt), actionlint from the Go module proxy into .cache/bin.
# A second run with the same pins does nothing. Usage: scripts/install-scanners.sh [--no-actionlint]
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
VENV=.cache/venv
BIN=.cache/bin
mkdir -p .cache "$BIN"

stamp=$(cat scanners/requirements.txt scanners/constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$stamp" ]; then
  echo "installing checkov and zizmor into $VENV (PyPI; about a minute)…"
  start=$SECONDS
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    -r scanners/requirements.txt -c scanners/constraints.txt
  echo "$stamp" > "$VENV/.pins"
  echo "  done in $((SECONDS - start)) s"
fi

if [ "${1:-}" != "--no-actionlint" ] && [ "$("$BIN/actionlint" -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "error: actionlint is built with Go (go install); install Go 1.22+ or run with --no-actionlint" >&2
    exit 1
  fi
  echo "installing actionlint $ACTIONLINT_VERSION into $BIN (Go module proxy)…"
  start=$SECONDS
  GOBIN="$PWD/$BIN" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  echo "  done in $((SECONDS - start)) s"
fi
