#!/usr/bin/env bash
# Make sure everything statusproof needs is here; cheap when it already is.
#   - a virtual environment in .venv (Python 3.11 or newer) with statusproof installed
#     (editable, with the test extras);
#   - Graphviz's `dot` (via apt-get when missing and we are root; otherwise an instruction).
# Sourced by quickstart.sh and test.sh; sets $VENV and puts its bin/ first on PATH.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${STATUSPROOF_VENV:-$root/.venv}

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate; break
  fi
done
if [ -z "$python" ]; then
  echo "statusproof needs Python 3.11 or newer (apt-get install python3 python3-venv)" >&2
  exit 2
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating the virtual environment $VENV"
  "$python" -m venv "$VENV"
fi
stamp="$VENV/.statusproof-installed"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  echo "== installing statusproof and its test tools into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$root[test]"
  touch "$stamp"
fi

if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Graphviz (dot) with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    echo "note: Graphviz's 'dot' is not installed; diagrams will be written as DOT and Mermaid" \
         "only. Install it with: sudo apt-get install graphviz" >&2
  fi
fi
export PATH="$VENV/bin:$PATH"
