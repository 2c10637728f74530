#!/bin/sh
# Runs PgBouncer in the foreground on 127.0.0.1 in TRANSACTION pooling mode, in front of a local PostgreSQL,
# with a generated configuration (trust auth, for a developer machine or the test suite only).
#   deploy/pgbouncer/run-local.sh LISTEN_PORT DBNAME [SCHEMA]
# Clients connect to postgres://postgres@127.0.0.1:LISTEN_PORT/DBNAME. With SCHEMA, each server connection
# runs `SET search_path TO SCHEMA` when opened (connect_query) -- PgBouncer 1.18 cannot pass search_path as
# a startup parameter, so the app's `?schema=` is ignored by PgBouncer and set here instead.
# Upstream: PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres). Stop with SIGTERM/SIGINT.
set -eu
if ! command -v pgbouncer >/dev/null 2>&1; then
    echo "pgbouncer is not installed: apt-get install -y -q pgbouncer" >&2
    exit 127
fi
port=${1:?usage: run-local.sh LISTEN_PORT DBNAME [SCHEMA]}
dbname=${2:?usage: run-local.sh LISTEN_PORT DBNAME [SCHEMA]}
schema=${3:-}
dir=$(mktemp -d "${TMPDIR:-/tmp}/pgbouncer.XXXXXX")
chmod 755 "$dir"
connect=""
if [ -n "$schema" ]; then
    connect=" connect_query='SET search_path TO $schema'"
fi
cat > "$dir/pgbouncer.ini" <<INI
[databases]
$dbname = host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432} user=${PGUSER:-postgres} dbname=$dbname$connect

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 10
; asyncpg sends search_path (Tortoise ?schema=) and may send other settings as startup parameters
ignore_startup_parameters = extra_float_digits,search_path
server_reset_query =
logfile =
INI
echo "\"${PGUSER:-postgres}\" \"\"" > "$dir/userlist.txt"
chmod 644 "$dir"/*
trap 'rm -rf "$dir"' EXIT
# PgBouncer refuses to run as root.
if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- pgbouncer "$dir/pgbouncer.ini" &
else
    pgbouncer "$dir/pgbouncer.ini" &
fi
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; rm -rf "$dir"; exit 0' TERM INT
wait $child
