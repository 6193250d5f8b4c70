#!/usr/bin/env bash
# Type-check the package with mypy --strict.
# mypy cannot follow setuptools' editable-install mapping (model/ -> statusproof.model ...), so
# this lays the same mapping out as symlinks in a temporary folder and checks that.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/statusproof"
for f in "$root"/statusproof/*; do ln -s "$f" "$stage/statusproof/$(basename "$f")"; done
for part in model checks render conformance logcheck; do ln -s "$root/$part" "$stage/statusproof/$part"; done
cd "$stage"
"$python" -m mypy --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p statusproof "$@"
