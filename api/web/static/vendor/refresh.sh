#!/bin/sh
# Refresh the explorer's front-end files from the npm registry, at the pinned versions below.
# Only the built files and each package's license are kept; `make run` never needs Node.
# Run from anywhere (needs npm): sh api/web/static/vendor/refresh.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  file-in-package  destination (relative to the repository)
fetch() {
  spec=$1; shift
  name=$(echo "$spec" | sed 's/@[^@]*$//' | tr '/' '_' | tr -d '@')
  mkdir -p "$work/$name"
  (cd "$work/$name" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  while [ $# -gt 1 ]; do
    mkdir -p "$(dirname "$root/$2")"
    cp "$work/$name/package/$1" "$root/$2"
    shift 2
  done
}

fetch chart.js@4.5.1 \
  dist/chart.umd.min.js api/web/static/vendor/chart.js/chart.umd.min.js \
  LICENSE.md api/web/static/vendor/chart.js/LICENSE.md
fetch @picocss/pico@2.1.1 \
  css/pico.min.css api/web/static/vendor/pico/pico.min.css \
  LICENSE.md api/web/static/vendor/pico/LICENSE.md
# Test-only: the accessibility checker the browser tests inject (never served by the app).
fetch axe-core@4.11.0 \
  axe.min.js tests/support/vendor/axe-core/axe.min.js \
  LICENSE tests/support/vendor/axe-core/LICENSE
echo "vendored files refreshed"
