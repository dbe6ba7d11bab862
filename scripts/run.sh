#!/usr/bin/env bash
# Sets up and starts Kasir. The first run loads the demo café (demo PINs in README.md).
# Data lives in the OS's app-data folder (~/.local/share/id.kasir.pos), or $KASIR_DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
npm --prefix ui run build
cargo build --release --locked --features custom-protocol --bin kasir
KASIR_DEMO=1 exec target/release/kasir
