#!/usr/bin/env bash
# The project's own throwaway PostgreSQL for tests and benchmarks: installs Debian's `postgresql`
# when missing (policy-rc.d keeps the package from starting a system instance), runs `initdb` as the
# `postgres` user in $PRX_POSTGRES_DIR (default .postgres/ in the repo; UTF-8, C.UTF-8 locale,
# trust authentication on loopback only), starts it on 127.0.0.1:$PRX_POSTGRES_PORT (default
# 25432) and stops it by pid. It never touches a system cluster.
#
#   postgres.sh start | stop | status | env      (env prints the URL; also in $dir/env)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=${PRX_POSTGRES_DIR:-$repo/.postgres}
port=${PRX_POSTGRES_PORT:-25432}
data=$dir/data
url="postgres://postgres@127.0.0.1:$port/prx"

find_bin() {
  local name=$1 candidate
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  command -v "$name" 2>/dev/null || return 1
}

install_postgres() {
  find_bin initdb >/dev/null && find_bin pg_ctl >/dev/null && return 0
  echo "installing postgresql (Debian package)..." >&2
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1
    apt-get install -y -q postgresql >/dev/null
  fi
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  find_bin initdb >/dev/null
}

# Runs a command as the postgres user (initdb and the server refuse to run as root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

is_running() {
  [ -f "$data/postmaster.pid" ] && kill -0 "$(head -1 "$data/postmaster.pid")" 2>/dev/null
}

write_env() {
  echo "PRX_TEST_POSTGRES_URL=$url" > "$dir/env"
}

case "${1:-}" in
  start)
    install_postgres
    mkdir -p "$dir"
    if is_running; then write_env; exit 0; fi
    initdb=$(find_bin initdb)
    pg_ctl=$(find_bin pg_ctl)
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; chmod 700 "$dir"; fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_postgres "$initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
      cat >> "$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
    # the port may have changed since initdb
    sed -i "s/^port = .*/port = $port/" "$data/postgresql.conf"
    as_postgres "$pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 30 start >/dev/null ||
      { tail -20 "$dir/postgres.log" >&2; exit 1; }
    if ! as_postgres psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'prx'" | grep -q 1; then
      as_postgres psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE prx" >/dev/null
    fi
    write_env
    echo "postgres running on 127.0.0.1:$port; env: $dir/env" >&2
    ;;
  stop)
    if is_running; then
      as_postgres "$(find_bin pg_ctl)" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  status)
    is_running && echo running || { echo stopped; exit 1; }
    ;;
  env)
    echo "$url"
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
