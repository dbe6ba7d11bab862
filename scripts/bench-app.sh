#!/usr/bin/env bash
# App-level benchmarks in the real app under Xvfb (on demand, not part of the tests):
# start-up to an interactive menu with 100,000 products, the search round trip from the UI,
# and resident memory after a 200-sale session. Uses the core bench's 100k catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo bench -p kasir-core --bench core -- startup >/dev/null   # makes target/bench-data/catalog-100000
npm --prefix ui run build
cargo build --release --locked --features custom-protocol --bin kasir
work=$(mktemp -d)
cp -r target/bench-data/catalog-100000 "$work/data"
cleanup() { kill "${driver_pid:-}" "${xvfb_pid:-}" 2>/dev/null || true; pkill -f WebKitWebDriver 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb_pid=$!
export DISPLAY="$display" KASIR_DATA_DIR="$work/data"
port=$((4500 + RANDOM % 400))
tauri-driver --port "$port" --native-driver "$(command -v WebKitWebDriver)" >/dev/null 2>&1 & driver_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break; sleep 0.1; done
KASIR_BENCH_CATALOG="$work/data" KASIR_APP="$PWD/target/release/kasir" WEBDRIVER_URL="http://127.0.0.1:$port" node tests/e2e/bench.mjs
