#!/usr/bin/env bash
# wasp vs cloudsplaining on the public example account (1x and 10x), plus evaluator throughput.
# Installs cloudsplaining into its own venv (benchmarks/iam/.venv-cloudsplaining) on first run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-cloudsplaining"
if [ ! -x "$venv/bin/cloudsplaining" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "cloudsplaining==0.9.1"
fi
cd "$root"
.venv/bin/python "$here/bench.py" --cloudsplaining "$venv/bin/cloudsplaining" "$@"
