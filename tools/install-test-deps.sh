#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python pins (browser, validators); idempotent.
# Each part is a function of its own; Debian packages are installed as root with apt-get,
# running `apt-get update` at most once and only when something is missing.
set -euo pipefail

APT_UPDATED=0

# Install the Debian packages given as arguments that are not installed yet.
apt_install_missing() {
  local missing=()
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: missing ${missing[*]}; run this script as root to install them" >&2
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    apt-get update
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Feeds (tests/test_feeds.py): jing validates Atom against the RFC 4287 RELAX NG schema,
# newsboat is the real feed reader that must load the site feed.
install_feed_tools() {
  apt_install_missing jing newsboat
}

install_feed_tools
