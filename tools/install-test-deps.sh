#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python pins (browser, validators); idempotent.
# `make test` runs it (target `testdeps`) as root on a fresh Debian machine that has python3,
# node/npm and java. Each tool has its own function so parts can be merged independently.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APT_UPDATED=0

log() { echo "install-test-deps: $*"; }

# Installs Debian packages, running `apt-get update` once and only when something is missing.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: need root to apt-get install $* (or install it yourself)" >&2
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# Browser tests (issues 4, 6, 7): Debian's Chromium, driven by Python Playwright with
# executable_path=/usr/bin/chromium (never `playwright install`, which downloads a browser build),
# plus the npm tools pinned in package.json/package-lock.json: axe-core (accessibility) and
# vnu-jar (the Nu HTML checker, run with the machine's java).
install_browser_test_deps() {
  if ! command -v chromium >/dev/null 2>&1; then
    log "installing chromium"
    apt_install chromium
  fi
  if ! command -v java >/dev/null 2>&1; then
    log "installing java for the Nu HTML checker"
    apt_install default-jre-headless
  fi
  if ! command -v npm >/dev/null 2>&1; then
    log "installing npm"
    apt_install nodejs npm
  fi
  # node_modules/ is stale when package-lock.json changed since the last `npm ci`.
  local stamp="$ROOT/node_modules/.topicfeed-lock.sha256"
  local want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] \
    || [ ! -f "$ROOT/node_modules/axe-core/axe.min.js" ] \
    || [ ! -f "$ROOT/node_modules/vnu-jar/build/dist/vnu.jar" ] \
    || [ ! -f "$ROOT/node_modules/lighthouse/cli/index.js" ]; then
    log "npm ci (axe-core, vnu-jar, lighthouse)"
    # --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime; we use the
    # system java, and the jar itself ships in the package.
    (cd "$ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
}

# Feeds (tests/test_feeds.py): jing validates Atom against the RFC 4287 RELAX NG schema,
# newsboat is the real feed reader that must load the site feed.
install_feed_tools() {
  local package
  for package in jing newsboat; do
    if ! command -v "$package" >/dev/null 2>&1; then
      log "installing $package"
      apt_install "$package"
    fi
  done
}

# Benchmark (tests/bench/test_hugo_site.py): the Hugo site the benchmark generates must build
# with Debian's hugo, which tools/install-bench-deps.sh installs (make bench runs it too).
install_bench_test_deps() {
  bash "$ROOT/tools/install-bench-deps.sh"
}

install_browser_test_deps
install_feed_tools
install_bench_test_deps
