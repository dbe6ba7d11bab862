#!/usr/bin/env bash
# Starts a Kasir server on this machine with one command: a private PostgreSQL cluster (made on
# first run in $KASIR_SERVER_DIR, default ~/.local/share/kasir-server) and kasir-server on
# $KASIR_LISTEN (default 127.0.0.1:8440; use 0.0.0.0:8440 to serve the shop's network).
#
#   bash scripts/server.sh                       # start (Ctrl+C stops the server)
#   bash scripts/server.sh store create "Kopi Kasir Braga"
#   bash scripts/server.sh enrol --store "Kopi Kasir Braga"
#   bash scripts/server.sh operator-token
#
# Any arguments are a kasir-server command run against the same database.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing PostgreSQL with apt-get"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql build-essential pkg-config
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=${KASIR_SERVER_DIR:-$HOME/.local/share/kasir-server}
PORT=${KASIR_PG_PORT:-5441}
mkdir -p "$DIR"
pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$DIR"; fi

if [ ! -f "$DIR/data/PG_VERSION" ]; then
    pg "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 >/dev/null
fi
if ! pg "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start >/dev/null
fi
pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'kasir'" \
    | grep -q 1 || pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres kasir
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/kasir"

cargo build --release --locked -p kasir-server
if [ $# -gt 0 ]; then
    exec target/release/kasir-server "$@"
fi
echo "PostgreSQL: $DATABASE_URL (data in $DIR)"
echo "Next: bash scripts/server.sh store create \"My Café\"; bash scripts/server.sh enrol --store \"My Café\""
exec target/release/kasir-server serve --listen "${KASIR_LISTEN:-127.0.0.1:8440}"
