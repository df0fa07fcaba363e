#!/bin/sh
# Rebuilds ashyq/assets/vendor/plotly-ashyq.min.js: plotly.js 4.1.1 from npm with only the scatter and
# bar traces and the components the site uses (entry.js), bundled and minified by esbuild 0.28.2.
# Needs node and npm (the npm registry); works in a temporary folder, never in the repository.
#   sh tools/plotly-bundle/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/../../ashyq/assets/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$work/"
cd "$work"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null  # the versions in package-lock.json
version=$(node -p 'require("plotly.js/package.json").version')
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --define:global=window --define:define.amd=false --target=es2016 --log-level=warning \
  --banner:js="/*! plotly.js v$version (Ashyq build: scatter and bar traces only; tools/plotly-bundle) | Copyright 2012-2026, Plotly, Inc. | MIT License */" \
  --outfile=plotly-ashyq.min.js
cp plotly-ashyq.min.js "$vendor/plotly-ashyq.min.js"
cp node_modules/plotly.js/LICENSE "$vendor/plotly-ashyq.LICENSE.txt"
echo "wrote $vendor/plotly-ashyq.min.js ($(wc -c < plotly-ashyq.min.js) bytes, $(gzip -6 -c plotly-ashyq.min.js | wc -c) gzipped)"
