#!/usr/bin/env bash
# Proves the Python, Java and Go packages in dist/ (npx projen package-all) in real programs:
#   1. TypeScript, from the sources: the consumers' stack (port 8080, 2 to 5 tasks), and ARM64 with
#      Spot and the container options;
#   2. Java: a Maven project on the jar in dist/java and aws-cdk-lib from Maven Central (JUnit);
#   3. Go: a Go module on dist/go (a replace) and aws-cdk-go from the Go module proxy (go test);
#   4. Python: a fresh virtual environment with aws-cdk-lib and constructs from PyPI and the wheel
#      in dist/python (pytest), whose last tests compare the templates of the four languages.
# The README's programs are run by the docs harness (npx projen test:docs), in projects made as the
# README says. aws-cdk-lib and constructs are the versions this project builds against
# (package.json); test/go/go.mod names the same ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=test/consumers/out
rm -rf "$out" && mkdir -p "$out"

cdk_version=$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")
constructs_version=$(node -p "require('./package.json').devDependencies['constructs']")
version=$(node -p "require('./package.json').version")
wheel=$(ls dist/python/*.whl 2>/dev/null | head -n 1 || true)
[ -n "$wheel" ] && [ -d dist/java ] && [ -f dist/go/privatefargatebehindalb/go.mod ] || {
  echo 'dist/python, dist/java or dist/go is missing: run npx projen package-all first' >&2; exit 1; }
echo "aws-cdk-lib $cdk_version, constructs $constructs_version, private-fargate-behind-alb $version"

echo '--- TypeScript'
npx ts-node --project tsconfig.dev.json test/consumers/synth-typescript.ts "$out"

echo '--- Java'
# Maven never re-reads a release version it has cached: drop this library's cached copy so the
# jar in dist/java is the one under test.
rm -rf "$HOME/.m2/repository/io/github/privatefargatebehindalb"
(cd test/java && mvn --batch-mode --no-transfer-progress test \
  -Dcdk.version="$cdk_version" -Dconstructs.version="$constructs_version" -Dlibrary.version="$version" \
  -Dlibrary.repository="file://$root/dist/java" -Dconsumers.out="$root/$out")

echo '--- Go'
go_cdk=$(cd test/go && go list -m -f '{{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)
[ "$go_cdk" = "v$cdk_version" ] || {
  echo "test/go/go.mod requires aws-cdk-go $go_cdk, not v$cdk_version (package.json's aws-cdk-lib)" >&2; exit 1; }
(cd test/go && GOFLAGS=-buildvcs=false CONSUMERS_OUT="$root/$out" go test -count=1 -v .)

echo '--- Python'
venv=test/python/.venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "aws-cdk-lib==$cdk_version" "constructs==$constructs_version" -r test/python/requirements.txt "$wheel"
CONSUMERS_OUT="$root/$out" "$venv/bin/python" -m pytest -v test/python
