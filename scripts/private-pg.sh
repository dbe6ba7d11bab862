# A throwaway PostgreSQL for a test script (sourced by e2e.sh and schemathesis.sh; the server's
# own start-up script, server.sh, keeps a lasting one instead).
#
#   private_pg_start DIR PORT_BASE   # initdb into DIR/pg, start on PORT_BASE + 0..299,
#                                    # create database `kasir`, set PRIVATE_PG_URL
#   private_pg_stop                  # stop it (for an EXIT trap; DIR is the caller's to remove)
#
# Run as root (CI), the cluster belongs to the postgres user: initdb refuses root.

private_pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

private_pg_start() {
    local work=$1 port=$(($2 + RANDOM % 300))
    private_pg_dir="$work/pg"
    mkdir -p "$private_pg_dir"
    if [ "$(id -u)" -eq 0 ]; then chmod 755 "$work"; chown postgres: "$private_pg_dir"; fi
    pg "$private_pg_bin/initdb" -D "$private_pg_dir/data" -A trust -U postgres -E UTF8 \
        --no-sync >/dev/null
    pg "$private_pg_bin/pg_ctl" -D "$private_pg_dir/data" -l "$private_pg_dir/log" -w \
        -o "-p $port -k $private_pg_dir -c listen_addresses=127.0.0.1" start >/dev/null
    pg "$private_pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres kasir
    PRIVATE_PG_URL="postgres://postgres@127.0.0.1:$port/kasir"
}

private_pg_stop() {
    if [ -n "${private_pg_dir:-}" ]; then
        pg "$private_pg_bin/pg_ctl" -D "$private_pg_dir/data" -m immediate -w stop \
            >/dev/null 2>&1 || true
    fi
}
