#!/usr/bin/env bash
# Fresh machine → running demo: demo gateway + SQLite store + simulated customers, sidebar connected to it.
# With no screen, it runs the same demo on a virtual one and writes a screenshot (docs/demo.png) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/assist-sidebar --demo "$@"
fi
echo "no screen found: running the demo under Xvfb and saving a screenshot to docs/demo.png"
exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/assist-sidebar --demo --screenshot docs/demo.png "$@"
