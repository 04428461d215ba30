#!/usr/bin/env bash
# The PostgreSQL cluster of the production profile (BK_PROFILE=production, scripts/run.py): idempotent.
#
#   scripts/setup_postgres.sh    install Debian's postgresql when missing, initialise the cluster when missing
#
# The cluster lives in $BK_POSTGRES_DIR (default var/postgres): data/ (initdb) and run/ (the Unix socket), both
# owned by the cluster's user and mode 0700. That user is `postgres` when this runs as root (the server refuses to
# run as root; scripts/run.py starts it as that user), else the calling user. The directory must be reachable by
# that user (var/ of the checkout is; a directory under a private /tmp/pytest-of-root is not).
# Local connections over the Unix socket use peer authentication (the cluster's user is its superuser); TCP on
# 127.0.0.1 needs a password (scram-sha-256). The role and database of Rasa's tracker store, with their password,
# are created by scripts/run.py once the server runs (scripts/postgres_cluster.py): no password is ever stored here.
# Debian's own cluster (postgresql@15-main, port 5432) is not used; it is stopped once right after installing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

[ $# -eq 0 ] || { echo "usage: scripts/setup_postgres.sh (no options; BK_POSTGRES_DIR sets the cluster)" >&2; exit 2; }

log() { printf '[setup_postgres] %s\n' "$*" >&2; }

DIR="${BK_POSTGRES_DIR:-var/postgres}"
case "$DIR" in /*) ;; *) DIR="$ROOT/$DIR" ;; esac
DATA="$DIR/data"
SOCKETS="$DIR/run"
if [ "$(id -u)" -eq 0 ]; then OWNER=postgres; else OWNER="$(id -un)"; fi

bindir() {
  # The newest installed server (Debian keeps each major version in /usr/lib/postgresql/<version>/bin).
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ] && printf '%s\n' "$dir"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

# --- the server: Debian's postgresql package ------------------------------------------------------------------
if ! bindir >/dev/null; then
  [ "$(id -u)" -eq 0 ] || { echo "need root to apt-get install postgresql" >&2; exit 1; }
  log "apt-get install postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package creates and may start its own cluster on 5432; the product runs its own under var/ on a loopback
  # port, so the system one is stopped (once, right after installing: a cluster the machine uses later is left alone).
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for cluster in $(pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1 "/" $2}'); do
      pg_ctlcluster "${cluster%/*}" "${cluster#*/}" stop || true
    done
  fi
fi
BIN=$(bindir) || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
id -u "$OWNER" >/dev/null 2>&1 || { echo "user $OWNER does not exist (the postgresql package creates it)" >&2; exit 1; }
GROUP_OF_OWNER="$(id -gn "$OWNER")"

# --- the cluster --------------------------------------------------------------------------------------------------
mkdir -p "$DIR"
if [ ! -s "$DATA/PG_VERSION" ]; then
  log "initialising the PostgreSQL cluster in ${DATA#"$ROOT"/} (owner $OWNER)"
  rm -rf "$DATA"   # a half-made directory from an interrupted initdb
  install -d -m 0700 -o "$OWNER" -g "$GROUP_OF_OWNER" "$DATA"
  # No superuser password: the cluster's user logs in by peer authentication over the socket only.
  as_owner "$BIN/initdb" -D "$DATA" -U "$OWNER" --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
install -d -m 0700 -o "$OWNER" -g "$GROUP_OF_OWNER" "$SOCKETS"
chown "$OWNER:$GROUP_OF_OWNER" "$DATA" "$SOCKETS"
chmod 0700 "$DATA" "$SOCKETS"
