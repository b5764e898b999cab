#!/bin/sh
# ctest's entry: skips (77) when node, playwright-core (npm ci, which
# tools/check runs) or Chromium is missing; otherwise runs the test.
here=$(dirname "$0")
browser=${URBIS_CHROMIUM:-/usr/bin/chromium}
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }
[ -x "$browser" ] || { echo "SKIP: no $browser (apt-get install chromium)"; exit 77; }
[ -d "$here/node_modules/playwright-core" ] ||
  { echo "SKIP: no playwright-core (npm ci in tests/browser)"; exit 77; }
exec node "$here/widget.test.mjs"
