#!/usr/bin/env bash
# Test-only: install PostgreSQL (Debian package) when missing, start a cluster, create the
# gatepost role and test database, and print the URL for GATEPOST_TEST_DATABASE_URL.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  pg_createcluster "$ver" main >&2
fi
pg_ctlcluster "$ver" main start >&2 2>/dev/null || true
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 0.2
done
as_pg() { su postgres -c "$1"; }
as_pg "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='gatepost'\"" | grep -q 1 \
  || as_pg "psql -qc \"CREATE ROLE gatepost LOGIN PASSWORD 'gatepost' CREATEDB\"" >&2
as_pg "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='gatepost_test'\"" | grep -q 1 \
  || as_pg "createdb -O gatepost gatepost_test" >&2
echo "postgresql://gatepost:gatepost@127.0.0.1:5432/gatepost_test"
