#!/usr/bin/env bash
# Proves the Python and Java packages in dist/ (npx projen package-all) in real programs:
#   1. the TypeScript template of the consumers' stack, from the sources;
#   2. Java: a Maven project on the jar in dist/java and aws-cdk-lib from Maven Central (JUnit);
#   3. Python: a fresh virtual environment with aws-cdk-lib and constructs from PyPI and the wheel
#      in dist/python (pytest), whose last test compares the three templates.
# aws-cdk-lib and constructs are the versions this project builds against (package.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=test/consumers/out
rm -rf "$out" && mkdir -p "$out"

cdk_version=$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")
constructs_version=$(node -p "require('./package.json').devDependencies['constructs']")
version=$(node -p "require('./package.json').version")
wheel=$(ls dist/python/*.whl 2>/dev/null | head -n 1 || true)
[ -n "$wheel" ] && [ -d dist/java ] || { echo 'dist/python or dist/java is missing: run npx projen package-all first' >&2; exit 1; }
echo "aws-cdk-lib $cdk_version, constructs $constructs_version, private-fargate-behind-alb $version"

echo '--- TypeScript'
npx ts-node --project tsconfig.dev.json test/consumers/synth-typescript.ts "$out/typescript.template.json"

echo '--- Java'
# Maven never re-reads a release version it has cached: drop this library's cached copy so the
# jar in dist/java is the one under test.
rm -rf "$HOME/.m2/repository/io/github/privatefargatebehindalb"
(cd test/java && mvn --batch-mode --no-transfer-progress test \
  -Dcdk.version="$cdk_version" -Dconstructs.version="$constructs_version" -Dlibrary.version="$version" \
  -Dlibrary.repository="file://$root/dist/java" -Dconsumers.out="$root/$out")

echo '--- Python'
venv=test/python/.venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "aws-cdk-lib==$cdk_version" "constructs==$constructs_version" -r test/python/requirements.txt "$wheel"
CONSUMERS_OUT="$root/$out" README="$root/README.md" "$venv/bin/python" -m pytest -v test/python
