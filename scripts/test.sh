#!/usr/bin/env bash
# The whole test suite from a fresh machine, in one command:
#   bash scripts/test.sh [pytest args...]
# Installs system packages (Chromium, Node packages for axe-core) when missing,
# creates .venv, installs requirements-dev.txt, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f scripts/install-system-deps.sh ]; then
  bash scripts/install-system-deps.sh
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt

# Silence the end-of-life notices (docs/reference/platform.md): Material, then ProperDocs ("true" only).
export NO_MKDOCS_2_WARNING=1
export DISABLE_MKDOCS_2_WARNING=true
exec .venv/bin/python -m pytest "$@"
