#!/usr/bin/env bash
# Quick start, step 1: set everything up, then run the main job on the bundled Rescue table:
# check it (graph and formal checks) and write the HTML report with its diagrams to out/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/setup.sh"
cd "$root"
echo "== statusproof check (bundled LogMeIn Rescue session statuses)"
status=0
statusproof check || status=$?
echo "== statusproof report -o out/"
statusproof report -o out
echo "== the report is out/report.html"
exit "$status"
