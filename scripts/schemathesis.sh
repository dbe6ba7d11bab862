#!/usr/bin/env bash
# Fuzzes the server's HTTP API from its own OpenAPI document with schemathesis: a private
# PostgreSQL and kasir-server are started here, a terminal is enrolled and an operator token
# made, and every documented operation is called with generated requests, with each
# credential. A 5xx, an answer that breaks the documented schema, or an undocumented status
# fails the run. Part of the test command (scripts/test.sh); needs what scripts/setup.sh
# installs (PostgreSQL, python3-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$PWD/target/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
cargo build --locked -p kasir-server
server="$PWD/target/debug/kasir-server"

work=$(mktemp -d)
. scripts/private-pg.sh
cleanup() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    private_pg_stop
    rm -rf "$work"
}
trap cleanup EXIT
private_pg_start "$work" 5900
export DATABASE_URL="$PRIVATE_PG_URL"

port=$((18500 + RANDOM % 1000))
"$server" store create "Schemathesis" >/dev/null
code=$("$server" enrol --store "Schemathesis")
operator=$("$server" operator-token)
"$server" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
done
token=$(curl -fs -X POST "http://127.0.0.1:$port/v1/enrol" -H 'content-type: application/json' \
    -d "{\"code\": \"$code\", \"name\": \"schemathesis\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# Every check but one: `positive_data_acceptance` expects whatever the schema allows to be
# taken, and the server rightly checks more than a schema can say (a picture's JPEG bytes, an
# envelope version newer than it reads, refused with a clear error by design).
# Run from the scratch folder: schemathesis keeps a cache of what it found in its working
# directory, which has no place in the repository.
st() {
    (cd "$work" && "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
        --checks all --exclude-checks positive_data_acceptance \
        --max-examples "${KASIR_SCHEMATHESIS_EXAMPLES:-25}" \
        --generation-deterministic --request-timeout 10 "$@")
}
status=0
echo "--- as a terminal"
st -H "Authorization: Bearer $token" --exclude-path-regex '^/v1/ops/' || status=$?
echo "--- as the operator"
st -H "Authorization: Bearer $operator" --include-path-regex '^/v1/ops/' || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log (tail)"; tail -30 "$work/server.log"
fi
exit "$status"
