#!/usr/bin/env bash
# How fast `nanoauth import better-auth` is: N generated better-auth users
# (make-better-auth-users.mjs) imported into a fresh SQLite database, and
# into a fresh PostgreSQL schema when PostgreSQL answers on
# BENCH_POSTGRES_URL; prints users per second for each.
#
#   bash bench/import/run.sh            # 100k users
#   BENCH_USERS=10000 bash bench/import/run.sh
#
# Needs the pinned better-auth install (cd bench/peers/better-auth && npm ci;
# see bench/compare.sh for better-sqlite3's build) and builds nanoauth-cli
# in release.
set -euo pipefail
cd "$(dirname "$0")/../.."
users="${BENCH_USERS:-100000}"
pg="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
work="${CARGO_TARGET_DIR:-target}/bench/import"
mkdir -p "$work"
source_db="$work/better-auth-$users.db"

[ -f "$source_db" ] || node bench/import/make-better-auth-users.mjs --users "$users" --db "$source_db"
cargo build --release -q -p nanoauth-cli
bin="${CARGO_TARGET_DIR:-target}/release/nanoauth"

run() { # label, target URL
  "$bin" migrate --database-url "$2" > /dev/null
  local start end
  start=$(date +%s.%N)
  "$bin" import better-auth --from "sqlite://$source_db" --database-url "$2" > "$work/report.txt" 2> /dev/null
  end=$(date +%s.%N)
  awk -v l="$1" -v n="$users" -v s="$start" -v e="$end" \
    'BEGIN { printf "%-10s %d users in %.1f s: %.0f users/s\n", l, n, e - s, n / (e - s) }'
  grep -E "users imported|password hashes|provider accounts" "$work/report.txt" | sed 's/^/           /'
}

rm -f "$work/target.db"*
run sqlite "sqlite://$work/target.db?mode=rwc"
if command -v psql > /dev/null && psql "$pg" -qc 'select 1' > /dev/null 2>&1; then
  schema="bench_import_$$"
  psql "$pg" -qc "CREATE SCHEMA $schema"
  run postgres "$pg?options=-csearch_path%3D$schema"
  psql "$pg" -qc "DROP SCHEMA $schema CASCADE" 2> /dev/null
fi
