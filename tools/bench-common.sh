# Sourced by tools/bench-ping and tools/bench-search: the build to use,
# servers started in the background and stopped on exit, and fields read
# from urbis-bench's --json line. Sets root, build and tmp.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${URBIS_BUILD:-$root/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/urbis-bench.XXXXXX")
servers=()

stop_servers() {
  local pid
  for pid in "${servers[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap stop_servers EXIT

need() {
  local prog
  for prog in "$@"; do
    if [ ! -x "$build/$prog" ]; then
      echo "$0: no $build/$prog; build it first (cmake --build $build)" >&2
      exit 2
    fi
  done
}

# A loopback port nothing listens on.
free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "$0: no free port" >&2
  exit 1
}

# start NAME PORT COMMAND...: runs a server in the background (its log in
# $tmp/NAME.log) and waits until PORT accepts connections.
start() {
  local name=$1 port=$2
  shift 2
  "$@" >"$tmp/$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    if ! kill -0 "$!" 2>/dev/null; then
      echo "$0: $name did not start:" >&2
      cat "$tmp/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$0: $name is not listening on port $port" >&2
  exit 1
}

# field JSON KEY: a number from a one-line JSON object (keys are unique in
# urbis-bench's and bench-inproc's output).
field() {
  sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1"
}

# ratio A B: A/B to two decimals.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
