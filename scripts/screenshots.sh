#!/usr/bin/env bash
# Updates the README's screenshots (docs/screenshots/) by running the end-to-end test with its
# pictures pointed there. A deliberate step: the test command writes its pictures to
# target/e2e-screenshots/ and never touches tracked files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
KASIR_SCREENSHOTS="$PWD/docs/screenshots" bash scripts/e2e.sh
git status --short docs/screenshots
