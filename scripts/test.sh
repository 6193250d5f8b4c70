#!/usr/bin/env bash
# Quick start, step 2: run the whole test suite: lint (ruff), types (mypy --strict) and pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k history -x).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/setup.sh"
cd "$root"
echo "== ruff"
ruff check .
echo "== mypy --strict"
PYTHON="$VENV/bin/python" scripts/typecheck.sh
echo "== pytest"
python -m pytest "$@"
