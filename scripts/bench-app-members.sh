#!/usr/bin/env bash
# The till's speed with 50,000 members in the real app under Xvfb (on demand, not part of the
# tests): a tap to its ticket line painted and "confirm payment" to the receipt painted, with a
# member on the ticket; the member search round trip from the UI. Uses the members bench's
# data (300 products, 50,000 members, a shift open).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo bench -p kasir-core --bench members >/dev/null   # makes target/bench-data/members-50000
npm --prefix ui run build
cargo build --release --locked --features custom-protocol --bin kasir
work=$(mktemp -d)
cp -r target/bench-data/members-50000 "$work/data"
cleanup() { kill "${driver_pid:-}" "${xvfb_pid:-}" 2>/dev/null || true; pkill -f WebKitWebDriver 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb_pid=$!
export DISPLAY="$display" KASIR_DATA_DIR="$work/data" XDG_DATA_HOME="$work/xdg"
port=$((4500 + RANDOM % 400))
tauri-driver --port "$port" --native-driver "$(command -v WebKitWebDriver)" >/dev/null 2>&1 & driver_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break; sleep 0.1; done
KASIR_APP="$PWD/target/release/kasir" WEBDRIVER_URL="http://127.0.0.1:$port" node tests/e2e/bench-members.mjs
