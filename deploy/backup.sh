#!/usr/bin/env bash
# Backs up Mintline's PostgreSQL database (journal, snapshots, read sides, audit log: everything the
# node keeps) with pg_dump in custom format, checks the dump is readable, and keeps the newest N.
#
#   deploy/backup.sh [-d DIR] [-k KEEP]
#
# Connection through libpq's environment: PGHOST, PGPORT, PGUSER, PGDATABASE (default mintline),
# PGPASSWORD or ~/.pgpass. DIR defaults to ./backups, KEEP to 14. pg_dump's major version must be at
# least the server's. Restore (docs/runbooks/database.md):
#   createdb NEW && pg_restore --no-owner --exit-on-error -d NEW DIR/mintline-....dump
# A dump is written under a .partial name and renamed only when complete and verified, so a crash
# never leaves a truncated file that looks like a backup; retention only ever counts finished dumps.
set -euo pipefail

dir=./backups
keep=14
while getopts "d:k:h" opt; do
  case "$opt" in
    d) dir=$OPTARG ;;
    k) keep=$OPTARG ;;
    h) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "usage: $0 [-d DIR] [-k KEEP]" >&2; exit 2 ;;
  esac
done
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || { echo "backup.sh: KEEP must be a positive number, got '$keep'" >&2; exit 2; }
export PGDATABASE="${PGDATABASE:-mintline}"
command -v pg_dump >/dev/null || { echo "backup.sh: pg_dump not found (Debian: apt-get install postgresql-client)" >&2; exit 1; }

mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="mintline-${PGDATABASE}-${stamp}"
final="$dir/$name.dump"
n=1
while [[ -e "$final" ]]; do final="$dir/$name-$n.dump"; n=$((n + 1)); done
partial="$final.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --file="$partial" "$PGDATABASE"
# A dump pg_restore cannot list is no backup.
tables=$(pg_restore --list "$partial" | grep -c ' TABLE ' || true)
[[ "$tables" -gt 0 ]] || { echo "backup.sh: the dump of $PGDATABASE lists no tables" >&2; exit 1; }
mv "$partial" "$final"
trap - EXIT
echo "backup.sh: wrote $final ($tables tables, $(stat -c %s "$final") bytes)"

# Retention: keep the newest $keep finished dumps of this database, delete the rest.
mapfile -t dumps < <(ls -1t "$dir"/mintline-"${PGDATABASE}"-*.dump 2>/dev/null)
for old in "${dumps[@]:$keep}"; do
  rm -f -- "$old"
  echo "backup.sh: removed $old (keeping the newest $keep)"
done
