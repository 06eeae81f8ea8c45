#!/bin/sh
# Asks a running non-GUI JMeter to stop its test now (UDP to port 4445 and up), as the archive's
# stoptest.sh does; ShutdownClient is in the launcher jar.
home="$(cd "$(dirname "$0")/.." && pwd)"
exec java -cp "$home/bin/ApacheJMeter.jar" org.apache.jmeter.util.ShutdownClient StopTestNow "$@"
