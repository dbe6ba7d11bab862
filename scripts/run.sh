#!/usr/bin/env bash
# Sets up and starts Kasir. The first run seeds the demo café (demo PINs in README.md).
# Data lives in $KASIR_DATA (default: ./kasir-data).
#
# The desktop app is the next milestone; until it lands this runs the core's demo: it seeds the
# café, sells one order and prints its receipt.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo run --release --locked -p kasir-core --bin kasir-demo -- "${KASIR_DATA:-kasir-data}"
