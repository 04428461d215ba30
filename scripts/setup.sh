#!/usr/bin/env bash
# Idempotent set-up of everything the product and its tests need on a fresh machine of this kind.
#   scripts/setup.sh            Python 3.11 env (.venv), Rasa env (.venv-rasa), Redis, search index, Rasa model;
#                               with BK_PROFILE=production also PostgreSQL and its cluster (scripts/setup_postgres.sh)
#   scripts/setup.sh --test     the same plus the test tools (Chromium for the browser tests; .venv-tools with
#                               schemathesis and openapi-python-client for the API contract tests) and PostgreSQL
#                               (tests/production starts the production profile)
# Every step checks a stamp or the installed state first, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

find_python311() {
  for cand in python3.11 /root/.pyenv/versions/3.11*/bin/python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  return 1
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to apt-get install ${missing[*]}" >&2; return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- Python 3.11 environment -------------------------------------------------------------------------------
stamp=".venv/.bk-installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  py=$(find_python311) || { echo "Python 3.11 not found" >&2; exit 1; }
  log "creating .venv with $py"
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  # The CPU build of torch first (the machine's wheel folder has it), so nothing pulls a CUDA build.
  .venv/bin/pip install -q "torch==2.13.0"
  .venv/bin/pip install -q -e ".[dev,postgres]"   # postgres: psycopg for the retention job (and its test)
  rm -f .venv/.bk-installed-*
  touch "$stamp"
fi

# --- Redis (lock store for several Rasa workers) -----------------------------------------------------------
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
# Debian starts a system-wide redis on 6379 after install; the product runs its own on a loopback port.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi

# --- PostgreSQL (tracker store of the production profile, BK_PROFILE=production) ------------------------------
# scripts/run.py runs the same idempotent script at each start of that profile, so a stack started without
# `make` sets it up too.
if [ "${BK_PROFILE:-default}" = "production" ] || [ "$WITH_TEST" -eq 1 ]; then
  bash scripts/setup_postgres.sh
fi

# --- Chromium for the browser tests --------------------------------------------------------------------------
if [ "$WITH_TEST" -eq 1 ]; then
  apt_install chromium chromium-driver fonts-dejavu-core
fi

# --- API test tools (schemathesis, openapi-python-client) in their own environment -----------------------------
if [ "$WITH_TEST" -eq 1 ]; then
  tools_stamp=".venv-tools/.bk-installed-$(sha256sum scripts/tools-requirements.txt | cut -c1-16)"
  if [ ! -f "$tools_stamp" ]; then
    py=$(find_python311) || { echo "Python 3.11 not found" >&2; exit 1; }
    log "creating .venv-tools (schemathesis, openapi-python-client)"
    [ -x .venv-tools/bin/python ] || "$py" -m venv .venv-tools
    .venv-tools/bin/pip install -q -r scripts/tools-requirements.txt
    rm -f .venv-tools/.bk-installed-*
    touch "$tools_stamp"
  fi
fi

# --- Rasa environment and bot model ---------------------------------------------------------------------------
if [ -f scripts/setup_rasa.sh ] && [ -d bot ] && [ -f config.yml ]; then
  bash scripts/setup_rasa.sh
fi

# --- Search index (and the project's own embedding model) ----------------------------------------------------
log "checking the search index"
.venv/bin/python -m knowledge build --if-needed

# --- Rasa model (trained only when data or config changed) ---------------------------------------------------
if [ -f scripts/train_rasa.sh ] && [ -x .venv-rasa/bin/rasa ]; then
  bash scripts/train_rasa.sh
fi
log "ready"
