#!/usr/bin/env bash
# Installs what `make bench` needs beyond the Python pins: Hugo (Debian's package), the
# benchmark's third system. Idempotent: does nothing when `hugo` is already on PATH.
# `make bench` runs it; installing needs root (apt-get), as on the project's Debian machines.
set -euo pipefail

log() { echo "install-bench-deps: $*"; }

if command -v hugo >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-bench-deps: need root to apt-get install hugo (or install Debian's hugo yourself)" >&2
  exit 1
fi
log "installing hugo (Debian package)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hugo
log "$(hugo version)"
