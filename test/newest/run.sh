#!/usr/bin/env bash
# The jest suite on the newest aws-cdk-lib and constructs that npm gives, in a scratch copy of the
# working tree: this repository's package.json, lockfile and node_modules stay as they are (the
# floor, aws-cdk-lib 2.257.0, is what `npx projen test` runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The files git knows (committed or not yet), without node_modules and what the build made.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [ -e "$file" ] && printf '%s\0' "$file"
done | tar --null -T - -cf - | tar -xf - -C "$scratch"
cd "$scratch"

npm ci --no-audit --no-fund --loglevel=error
npm install --no-audit --no-fund --no-save --loglevel=error aws-cdk-lib@latest constructs@latest
echo "aws-cdk-lib $(node -p "require('aws-cdk-lib/package.json').version"), constructs $(node -p "require('constructs/package.json').version")"
npx jest --ci --silent --coverage=false
