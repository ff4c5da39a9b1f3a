#!/usr/bin/env bash
# Creates .venv with the scanners pinned in scripts/scan-requirements.txt, from PyPI; reinstalls
# only when that file changes.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=scripts/scan-requirements.txt
stamp=.venv/.requirements
if [ -f "$stamp" ] && cmp -s "$requirements" "$stamp"; then exit 0; fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
