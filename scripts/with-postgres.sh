#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster on a loopback port; TEST_DATABASE_URL points at it.
# Installs Debian's postgresql when missing (root or sudo), and always stops the cluster afterwards.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the PostgreSQL test run..."
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq postgresql >/dev/null
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port="${TEST_PG_PORT:-54329}"
work=$(mktemp -d)
chmod 755 "$work"
# initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$work"
  as_owner=(runuser -u postgres --)
fi
stop_cluster() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_cluster EXIT
"${as_owner[@]}" "$pg_bin/initdb" -D "$work/data" --auth=trust -U postgres >/dev/null
# fsync off: a test cluster is thrown away, so durability is not needed and the suite runs faster.
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
export PATH="$pg_bin:$PATH"  # pg_dump and pg_restore of the same version, for the backup test
"$@"
