#!/usr/bin/env bash
# Assembles JMeter (loadtest/jmeter/pom.xml, from Maven Central) into a JMeter home and checks every
# file against loadtest/jmeter/jmeter.sha256. Used by `npm run jmeter:install`, by `npm run rehearse
# -- --jmeter` on demand, by .ci/run and by loadtest/Dockerfile, so every JMeter runs the same home:
# loadtest/image/loadlab.properties appended to bin/user.properties (the JTL columns the report reads),
# an empty lib/junit (JMeter looks for it at every start) and bin/report-template (`jmeter -g`).
#
#   install.sh [--home DIR] [--force] [--update-checksums]
#
# --home              where to put it (default $LOADLAB_JMETER_HOME, else <repo>/.cache/jmeter/<version>)
# --force             assemble again even if DIR already holds a verified JMeter
# --update-checksums  write jmeter.sha256 from what Maven assembled (after changing pom.xml; commit it)
# A verified home is reused without touching the network, so this is offline-safe after the first run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
sums="$here/jmeter.sha256"
layer="$here/../image/loadlab.properties"
version="$(sed -n 's|.*<jmeter.version>\(.*\)</jmeter.version>.*|\1|p' "$pom")"
home="${LOADLAB_JMETER_HOME:-$here/../../.cache/jmeter/$version}"
force=0
update=0
while [ $# -gt 0 ]; do
  case "$1" in
    --home) home="${2:?--home needs a directory}"; shift 2 ;;
    --home=*) home="${1#--home=}"; shift ;;
    --force) force=1; shift ;;
    --update-checksums) update=1; force=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "error: $*" >&2; exit 1; }
command -v java >/dev/null 2>&1 || fail "java not found: JMeter $version needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)"
java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || fail "java $java_major found: JMeter $version here needs Java 17 or newer"

# The files of a home, relative, sorted: what jmeter.sha256 lists.
# bin/jmeter and bin/stoptest.sh are ours (Maven Central has no start scripts): copied, not pinned.
listing() { (cd "$1" && find . -type f ! -name '.loadlab-*' ! -path ./bin/jmeter ! -path ./bin/stoptest.sh | LC_ALL=C sort); }
verify() {
  local dir="$1"
  [ -f "$dir/bin/ApacheJMeter.jar" ] || return 1
  (cd "$dir" && sha256sum --quiet --strict -c "$sums" >/dev/null 2>&1) || return 1
  # Nothing more than what is pinned either (a stray jar in lib/ext would be loaded).
  [ "$(listing "$dir")" = "$(sed 's/^[0-9a-f]*  //' "$sums")" ] || return 1
}
# A home as install.sh leaves it: the pinned files, except that bin/user.properties is the pinned
# one followed by loadlab.properties; and lib/junit.
verify_home() {
  local dir="$1" user="$1/bin/user.properties" pinned extra
  [ -f "$dir/bin/ApacheJMeter.jar" ] && [ -f "$user" ] && [ -d "$dir/lib/junit" ] || return 1
  (cd "$dir" && grep -v '  \./bin/user\.properties$' "$sums" | sha256sum --quiet --strict -c - >/dev/null 2>&1) || return 1
  [ "$(listing "$dir")" = "$(sed 's/^[0-9a-f]*  //' "$sums")" ] || return 1
  extra="$(wc -c <"$layer")"
  pinned=$(($(wc -c <"$user") - extra))
  [ "$pinned" -gt 0 ] || return 1
  [ "$(head -c "$pinned" "$user" | sha256sum | cut -d' ' -f1)" = "$(sed -n 's|  \./bin/user\.properties$||p' "$sums")" ] || return 1
  tail -c "$extra" "$user" | cmp -s - "$layer"
}

mkdir -p "$(dirname "$home")"
home="$(cd "$(dirname "$home")" && pwd)/$(basename "$home")"
[ -f "$layer" ] || fail "$layer is missing (install.sh lays it into the JMeter home)"
if [ "$force" = 0 ] && [ -f "$home/.loadlab-verified" ] && verify_home "$home" \
  && cmp -s "$here/bin/jmeter" "$home/bin/jmeter" && cmp -s "$here/bin/stoptest.sh" "$home/bin/stoptest.sh"; then
  echo "JMeter $version: $home (verified, nothing to do)"
  exit 0
fi

command -v mvn >/dev/null 2>&1 || fail "mvn not found: JMeter $version is assembled from Maven Central with Maven 3 (Debian: apt-get install maven)"
tmp="$home.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "JMeter $version: assembling from Maven Central into $home (first time: about 70 MB) ..."
# -B: plain log lines; -ntp: no per-file progress; our own line every 100 files Maven touches.
mvn -B -ntp -Dstyle.color=never -f "$pom" -Djmeter.home="$tmp" package \
  | awk '/ERROR|BUILD/ { print; next } { n++; if (n % 100 == 0) printf "  ... %d lines of Maven output\n", n }' \
  || { rm -rf "$tmp.build"; fail "mvn could not assemble JMeter (see above); is Maven Central reachable?"; }
rm -rf "$tmp.build"
[ -f "$tmp/bin/ApacheJMeter.jar" ] || fail "mvn finished but $tmp/bin/ApacheJMeter.jar is missing"

if [ "$update" = 1 ]; then
  (cd "$tmp" && listing . | sed 's|^\./||; s|^|./|' | xargs sha256sum) > "$sums"
  echo "wrote $sums ($(wc -l < "$sums") files); commit it with pom.xml"
fi
verify "$tmp" || {
  echo "error: the assembled JMeter does not match $sums:" >&2
  (cd "$tmp" && sha256sum --quiet -c "$sums" 2>&1 | head -20) >&2 || true
  diff <(listing "$tmp") <(sed 's/^[0-9a-f]*  //' "$sums") | head -20 >&2 || true
  fail "refusing it; after a deliberate change to pom.xml run: npm run jmeter:install -- --update-checksums"
}
install -m 0755 "$here/bin/jmeter" "$here/bin/stoptest.sh" "$tmp/bin/"
# The image's settings in effect for every run of this home, as user.properties (read at each start).
cat "$layer" >> "$tmp/bin/user.properties"
# JMeter adds lib/junit to its search paths at every start and logs a Throwable when it is missing.
mkdir -p "$tmp/lib/junit"
verify_home "$tmp" || fail "the laid-out home in $tmp does not verify (a bug in install.sh)"
echo "$version" > "$tmp/.loadlab-verified"
rm -rf "$home"
mv "$tmp" "$home"
trap - EXIT
echo "JMeter $version: $home (verified against $(basename "$sums"))"
