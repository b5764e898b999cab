#!/usr/bin/env bash
# run.sh URBIS_INDEX URBISD URBIS_RELEVANCE CORPUS QUERIES FLOORS
#
# The relevance test: indexes CORPUS with the real indexer into a temporary
# folder, serves it with the real daemon on a Unix socket there, and scores
# QUERIES with urbis-relevance against the nDCG floors in FLOORS. Exits with
# urbis-relevance's status (1: a group is below its floor), or 1 when the
# index cannot be built or the daemon does not come up or stop cleanly.
set -euo pipefail

if [ $# -ne 6 ]; then
  echo "usage: $0 URBIS_INDEX URBISD URBIS_RELEVANCE CORPUS QUERIES FLOORS" >&2
  exit 2
fi
indexer=$1 urbisd=$2 relevance=$3 corpus=$4 queries=$5 floors=$6

tmp=$(mktemp -d "${TMPDIR:-/tmp}/urbis-relevance.XXXXXX")
daemon=
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "test_relevance: $*" >&2
  if [ -s "$tmp/urbisd.log" ]; then
    echo "--- urbisd log (last lines) ---" >&2
    tail -n 20 "$tmp/urbisd.log" >&2
  fi
  exit 1
}

# Every report of the sample corpus must be indexed: a file that failed
# would silently lower the scores.
"$indexer" --quiet "$corpus" "$tmp/index" || fail "urbis-index exited $?"

# The ranking is under test, not the speed: a generous query time limit
# keeps a slow (sanitizer, coverage) build from turning hits into timeouts.
sock=$tmp/urbisd.sock
"$urbisd" --index "$tmp/index" --socket "$sock" --no-tcp --query-timeout-ms 60000 \
  2>"$tmp/urbisd.log" &
daemon=$!

# Up to 30 s for the daemon to answer PING; give up early if it died.
for _ in $(seq 300); do
  "$relevance" --socket "$sock" --ping 2>/dev/null && break
  kill -0 "$daemon" 2>/dev/null || fail "urbisd exited before answering PING"
  sleep 0.1
done
"$relevance" --socket "$sock" --ping || fail "urbisd did not answer PING within 30 s"

status=0
"$relevance" --socket "$sock" --floors "$floors" "$queries" || status=$?

kill -TERM "$daemon"
daemon_status=0
wait "$daemon" || daemon_status=$?
daemon=
[ "$daemon_status" -eq 0 ] || fail "urbisd exited $daemon_status after SIGTERM"
exit "$status"
