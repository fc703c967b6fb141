#!/bin/sh
# Trunk post_build hook of both apps (Trunk.toml). Runs in TRUNK_STAGING_DIR
# before dist/ is replaced.
# - The portal's build (frontend/portal.html → portal.html): nothing to do.
# - The webmail's build (→ index.html): copies in the portal's files, built
#   just before into $POSTERN_PORTAL_DIST (xtask/src/build.rs), so dist/ is
#   replaced with both apps at once; then writes the file names (hashed by
#   Trunk) into the service worker's precache list, and a version derived
#   from them into its cache name.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk}"
cd "$dir"
if [ -f portal.html ] && [ ! -f index.html ]; then
  exit 0
fi
portal="${POSTERN_PORTAL_DIST:?the portal is built first: use cargo xtask build frontend}"
[ -f "$portal/portal.html" ] || { echo "no portal.html in $portal" >&2; exit 1; }
for f in $(cd "$portal" && find . -type f ! -path '*/.*' | sed 's|^\./||'); do
  if [ -e "$f" ]; then
    # Shared by both apps (the stylesheet): the same source, the same bytes.
    cmp -s "$portal/$f" "$f" || { echo "portal's $f differs from the webmail's" >&2; exit 1; }
  else
    mkdir -p "$(dirname "$f")"
    cp "$portal/$f" "$f"
  fi
done
# The fetched translations (xtask writes them, named by content hash, from
# the plan build.rs compiled into the apps: frontend/build/locales.rs).
locales="${POSTERN_LOCALES_DIST:?the translations are written first: use cargo xtask build frontend}"
ls "$locales"/*.json >/dev/null || { echo "no translations in $locales" >&2; exit 1; }
mkdir -p locales
cp "$locales"/*.json locales/
files=$(find . -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.png' -o -name '*.webmanifest' -o -path './locales/*.json' \) ! -name sw.js | sed 's|^\./|/|' | sort)
list='"/", "/index.html", "/portal.html"'
for f in $files; do
  list="$list, \"$f\""
done
version=$(cat $(echo "$files" | sed 's|^/||') index.html portal.html | sha256sum | cut -c1-12)
sed -i \
  -e "s|^const PRECACHE = \[.*\];|const PRECACHE = [$list];|" \
  -e "s|^const VERSION = \".*\";|const VERSION = \"$version\";|" \
  sw.js
grep -q "$version" sw.js
