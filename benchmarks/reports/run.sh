#!/usr/bin/env bash
# Store and report formats at 100,000 findings (time, peak RSS, size) and the HTML report in Chromium
# beside a full-DOM baseline. Needs Debian's chromium (`make browser`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
.venv/bin/python "$here/bench.py" "$@"
