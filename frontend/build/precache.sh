#!/bin/sh
# Trunk post_build hook: writes the app shell's file names (hashed by
# Trunk) into the service worker's precache list, and a version derived
# from them into its cache name. Runs in TRUNK_STAGING_DIR before dist/ is
# replaced.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk}"
cd "$dir"
files=$(find . -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.png' -o -name '*.webmanifest' \) ! -name sw.js | sed 's|^\./|/|' | sort)
list='"/", "/index.html"'
for f in $files; do
  list="$list, \"$f\""
done
version=$(cat $(echo "$files" | sed 's|^/||') index.html | sha256sum | cut -c1-12)
sed -i \
  -e "s|^const PRECACHE = \[.*\];|const PRECACHE = [$list];|" \
  -e "s|^const VERSION = \".*\";|const VERSION = \"$version\";|" \
  sw.js
grep -q "$version" sw.js
