#!/usr/bin/env bash
# Makes VENV a working virtualenv with REQUIREMENTS installed; every `make` target runs it.
#   tools/ensure-venv.sh VENV REQUIREMENTS [PYTHON]
# Fast when nothing changed (one python start). It recovers by itself from:
# - a half-made VENV (Ctrl-C during `python -m venv`: no pip, so every pip call would fail with
#   "No module named pip"), or one whose python no longer runs: VENV is removed and made anew;
# - an interrupted or failed install: the stamp is written only after pip succeeds;
# - a changed REQUIREMENTS file: the stamp holds its sha256, so any change in content (not in
#   mtime) reinstalls.
# Installs with --require-hashes: requirements.txt pins every package with its sha256 hashes
# (pip-compile --generate-hashes from requirements.in), so a tampered download fails the install.
set -euo pipefail

venv="${1:?usage: ensure-venv.sh VENV REQUIREMENTS [PYTHON]}"
requirements="${2:?usage: ensure-venv.sh VENV REQUIREMENTS [PYTHON]}"
python="${3:-python3}"
stamp="$venv/.installed"

log() { echo "ensure-venv: $*" >&2; }

healthy() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import pip' >/dev/null 2>&1
}

# Only something that looks like a virtualenv is ever deleted: a symlink, a folder with
# pyvenv.cfg, or the bin/include/lib folders that `python -m venv` makes before pyvenv.cfg.
looks_like_venv() {
  [ -L "$venv" ] || [ -f "$venv/pyvenv.cfg" ] && return 0
  local entry
  for entry in "$venv"/* "$venv"/.[!.]*; do
    [ -e "$entry" ] || continue
    case "$(basename "$entry")" in bin | include | lib | lib64 | .installed) ;; *) return 1 ;; esac
  done
  return 0
}

sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi; }
want="$(sha256 "$requirements" | cut -d' ' -f1)"
ready() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && healthy; }
if ready; then
  exit 0
fi

# Two makes at once (a devserver and a build, two CI jobs) must not both rebuild or install:
# the second waits here for the first, then finds the venv ready.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$venv.lock"
  if ! flock -n 9; then
    log "waiting for another make that is setting up $venv"
    flock 9
  fi
  if ready; then
    exit 0
  fi
fi

if [ -e "$venv" ] || [ -L "$venv" ]; then
  if ! healthy; then
    if ! looks_like_venv; then
      log "$venv is not a virtualenv and has no working python with pip; move it away and run make again"
      exit 1
    fi
    log "$venv is broken or half-made (no working python with pip): removing it and making it anew"
    rm -rf -- "$venv"
  fi
fi
if [ ! -e "$venv" ]; then
  log "creating $venv"
  "$python" -m venv "$venv"
fi

rm -f -- "$stamp"
log "installing $requirements into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$requirements"
echo "$want" >"$stamp"
