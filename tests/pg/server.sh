#!/usr/bin/env bash
# A throwaway PostgreSQL for the team-vault tests, on 127.0.0.1 only.
#
#   tests/pg/server.sh start      prints "DIR PORT" on its last line
#   tests/pg/server.sh stop DIR
#
# start: a fresh data directory under /tmp owned by the postgres user (initdb refuses root),
# a free port, the socket inside DIR, TLS with a test CA and a server certificate for
# IP:127.0.0.1 made by openssl, password_encryption scram-sha-256, and a pg_hba.conf of
# `hostssl … scram-sha-256` only (plus `local … trust` for the test's own set-up). It makes
# the database `team` owned by the login `owner` (CREATEROLE, password `owner-test-pw`) and
# writes DIR/ca.pem (the server's CA) and DIR/other-ca.pem (a CA that signed nothing here).
# fsync is off unless PG_FSYNC=on (bench/team.sh: figures as a real server gives them).
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" ]] || { echo "server.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

as_pg() { runuser -u postgres -- "$@"; }

start() {
  local bin dir port
  bin=$(pg_bin)
  dir=$(mktemp -d /tmp/sallyport-pg.XXXXXX)
  chmod 0755 "$dir"
  # Certificates: a test CA, the server's certificate for 127.0.0.1, and an unrelated CA.
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Sallyport test CA" \
      -keyout ca.key -out ca.pem >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
      -keyout server.key -out server.csr >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.pem >/dev/null 2>&1
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Another CA" \
      -keyout other-ca.key -out other-ca.pem >/dev/null 2>&1
    rm -f ca.key other-ca.key server.csr server.ext ca.srl
    chmod 0644 ca.pem other-ca.pem server.pem
    chmod 0600 server.key
  )
  chown postgres: "$dir/server.key" "$dir/server.pem"
  mkdir "$dir/data"
  chown postgres: "$dir/data" "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = '$dir/server.pem'
ssl_key_file = '$dir/server.key'
password_encryption = 'scram-sha-256'
max_connections = 60
fsync = ${PG_FSYNC:-off}
CONF
  cat > "$dir/data/pg_hba.conf" <<HBA
local   all   all                 trust
hostssl all   all   127.0.0.1/32  scram-sha-256
HBA
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_pg psql -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE owner LOGIN CREATEROLE PASSWORD 'owner-test-pw'" \
    -c "CREATE DATABASE team OWNER owner" >/dev/null
  as_pg psql -q -h "$dir" -p "$port" -U postgres -d team -v ON_ERROR_STOP=1 \
    -c "REVOKE ALL ON SCHEMA public FROM PUBLIC" >/dev/null
  echo "$dir $port"
}

stop() {
  local dir=${1:?usage: server.sh stop DIR}
  case "$dir" in /tmp/sallyport-pg.*) ;; *) echo "server.sh: not a test server: $dir" >&2; exit 1 ;; esac
  if [[ -d "$dir/data" ]]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
