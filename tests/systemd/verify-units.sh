#!/usr/bin/env bash
# Checks tools/systemd/ with systemd's own parsers: `systemd-analyze
# verify` on the units (with ExecStart pointing at the built programs,
# since verify insists they exist) and `systemd-sysusers --dry-run` on the
# sysusers snippet. Exit 77 (skipped) where the tools are missing or do
# not work in this environment.
#
#   verify-units.sh UNITS_DIR URBISD URBIS_INDEX
set -uo pipefail

units=$1 urbisd=$2 indexer=$3
skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
for p in "$urbisd" "$indexer"; do
  [ -x "$p" ] || fail "$p is not built"
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# A unit that is surely right tells an environment where verify cannot run
# (no cgroups, no /run, ...) from a defect in our units.
mkdir "$tmp/control"
printf '[Service]\nExecStart=/bin/true\n' >"$tmp/control/urbis-control.service"
if ! out=$(systemd-analyze verify --man=no "$tmp/control/urbis-control.service" 2>&1) ||
   [ -n "$out" ]; then
  skip "systemd-analyze verify does not work here: $out"
fi

names=(urbisd.service urbis-reindex.service urbis-reindex.timer)
for u in "${names[@]}"; do
  sed -e "s#/usr/local/bin/urbisd #$urbisd #" \
      -e "s#/usr/local/bin/urbis-index #$indexer #" \
      "$units/$u" >"$tmp/$u" || fail "cannot copy $u"
done
grep -q "^ExecStart=$urbisd " "$tmp/urbisd.service" ||
  fail "urbisd.service: no ExecStart=/usr/local/bin/urbisd to check"
grep -q "^ExecStart=$indexer " "$tmp/urbis-reindex.service" ||
  fail "urbis-reindex.service: no ExecStart=/usr/local/bin/urbis-index to check"

# verify only warns about an unknown key or a bad value and still exits 0,
# so any line it prints about our units is a failure too.
out=$(cd "$tmp" && systemd-analyze verify --man=no "${names[@]/#/./}" 2>&1)
rc=$?
[ -n "$out" ] && echo "$out"
[ "$rc" -eq 0 ] || fail "systemd-analyze verify exited $rc"
if grep -E '(urbisd|urbis-reindex)\.(service|timer)' <<<"$out" >/dev/null; then
  fail "systemd-analyze verify complained about our units"
fi
echo "units: ok"

if command -v systemd-sysusers >/dev/null; then
  mkdir -p "$tmp/root/etc"
  out=$(systemd-sysusers --root="$tmp/root" --dry-run \
        "$(realpath "$units/urbis.sysusers")" 2>&1) ||
    fail "systemd-sysusers: $out"
  grep -q "Creating user 'urbis'" <<<"$out" ||
    fail "urbis.sysusers creates no user urbis: $out"
  echo "sysusers: ok"
fi
