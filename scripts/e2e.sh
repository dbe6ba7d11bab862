#!/usr/bin/env bash
# End-to-end tests of the real app: builds it with the UI embedded, starts Xvfb and
# tauri-driver, and runs tests/e2e/*.test.mjs with node's test runner. Screenshots go to
# target/e2e-screenshots/ (untracked), or to $KASIR_SCREENSHOTS: scripts/screenshots.sh points
# it at docs/screenshots/ to update the README's pictures, deliberately. Needs what
# scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

npm --prefix ui run build
cargo build --locked --features custom-protocol --bin kasir
cargo build --locked -p kasir-server
cargo build --locked -p kasir-print --bin kasir-fake-printer
app="$PWD/target/debug/kasir"

work=$(mktemp -d)
. scripts/private-pg.sh
cleanup() {
    private_pg_stop
    [ -n "${driver_pid:-}" ] && kill "$driver_pid" 2>/dev/null || true
    [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
    pkill -f WebKitWebDriver 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A private PostgreSQL for the sync test's server.
private_pg_start "$work" 5600
export KASIR_E2E_DATABASE_URL="$PRIVATE_PG_URL"
export KASIR_SERVER_BIN="$PWD/target/debug/kasir-server"
export KASIR_FAKE_PRINTER_BIN="$PWD/target/debug/kasir-fake-printer"

display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY="$display"
export KASIR_DATA_DIR="$work/data"
export KASIR_SCREENSHOTS="${KASIR_SCREENSHOTS:-$PWD/target/e2e-screenshots}"
export XDG_DATA_HOME="$work/xdg"   # the app's log folder lands in here
port=$((4500 + RANDOM % 400))
tauri-driver --port "$port" --native-driver "$(command -v WebKitWebDriver)" >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break
    sleep 0.1
done

status=0
KASIR_APP="$app" WEBDRIVER_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 ${KASIR_E2E_FILES:-tests/e2e/} || status=$?
# PINs never reach the logs: the wrong PIN the test typed must not appear in them.
if ! ls "$work"/xdg/*/logs/*.log >/dev/null 2>&1; then
    echo "e2e: the app wrote no log file"; status=1
elif grep -rq "97315864" "$work/xdg"; then
    echo "e2e: a PIN was written to the log"; status=1
else
    echo "e2e: log checked, no PIN in it"
fi
if [ "$status" -ne 0 ]; then
    echo "--- tauri-driver log ---"; tail -50 "$work/driver.log" || true
fi
exit "$status"
