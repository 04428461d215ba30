#!/usr/bin/env bash
# Start the Rasa server (loopback only) with the trained model; `exec`s rasa, so a supervisor can signal it directly.
#
#   BK_RASA_TOKEN=... BK_ACTIONS_TOKEN=... BK_ACTIONS_PORT=28000 [PORT=8000] scripts/run_rasa.sh
#   BK_RASA_WORKERS=2 BK_REDIS_PORT=38000 ... scripts/run_rasa.sh        (with the Redis lock store)
#
# Environment:
#   BK_RASA_TOKEN      required: token of the tokenrest channel (credentials.yml) and of the HTTP API (given to Rasa
#                      inside the process by scripts/rasa_server.py: no secret is ever on a command line)
#   BK_ACTIONS_TOKEN   required: sent to the action server as ?token= (endpoints*.yml)
#   BK_REDIS_PASSWORD  required with the Redis lock store (endpoints-redis.yml)
#   BK_ACTIONS_PORT    required: port of the action server on 127.0.0.1
#   BK_RASA_PORT       port of Rasa; default PORT + 10000 (PORT default 8000)
#   BK_RASA_WORKERS    Sanic workers of Rasa, default 1. With 1: endpoints.yml, in-memory lock store (tests, and
#                      `make run` with one worker). With more: endpoints-redis.yml, the Redis lock store on
#                      127.0.0.1:$BK_REDIS_PORT (required then), which the supervisor starts in that case.
#   BK_RASA_ENDPOINTS  overrides the endpoints file
#   BK_RASA_MODEL      default models/rasa-model.tar.gz (scripts/train_rasa.sh)
#   BK_RASA_LOG_FILE   Rasa's log file, default var/log/rasa.log (each replica of the production profile has its own)
# Logs: stdout/stderr as usual, and Rasa's log file. The tracker store is var/tracker.db (endpoints.yml,
# endpoints-redis.yml) or PostgreSQL (endpoints-production.yml, the production profile of scripts/run.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${BK_RASA_VENV:-$ROOT/.venv-rasa}"
MODEL="${BK_RASA_MODEL:-models/rasa-model.tar.gz}"
RASA_PORT="${BK_RASA_PORT:-$(( ${PORT:-8000} + 10000 ))}"
WORKERS="${BK_RASA_WORKERS:-1}"
LOG_FILE="${BK_RASA_LOG_FILE:-var/log/rasa.log}"

fail() { printf '[run_rasa] %s\n' "$*" >&2; exit 1; }
[[ "$WORKERS" =~ ^[1-9][0-9]*$ ]] || fail "BK_RASA_WORKERS must be a positive number (got $WORKERS)"
if [ -n "${BK_RASA_ENDPOINTS:-}" ]; then
    ENDPOINTS="$BK_RASA_ENDPOINTS"
elif [ "$WORKERS" -gt 1 ]; then
    [ -n "${BK_REDIS_PORT:-}" ] || fail "BK_RASA_WORKERS=$WORKERS needs the Redis lock store: set BK_REDIS_PORT"
    [ -n "${BK_REDIS_PASSWORD:-}" ] || fail "BK_RASA_WORKERS=$WORKERS needs the Redis lock store: set BK_REDIS_PASSWORD"
    ENDPOINTS="endpoints-redis.yml"
else
    ENDPOINTS="endpoints.yml"
fi
for var in BK_RASA_TOKEN BK_ACTIONS_TOKEN BK_ACTIONS_PORT; do
    [ -n "${!var:-}" ] || fail "$var is not set"
done
[ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/rasa" ] || fail "$VENV has no rasa: run scripts/setup_rasa.sh"
[ -f "$MODEL" ] || fail "no model at $MODEL: run scripts/train_rasa.sh"
[ -f "bot/spacy/de_bk/meta.json" ] || fail "no spaCy pipeline bot/spacy/de_bk: run scripts/setup_rasa.sh"

mkdir -p var/log "$(dirname "$LOG_FILE")"
export TF_CPP_MIN_LOG_LEVEL=3 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
export SANIC_WORKERS="$WORKERS"   # read by `rasa run`; more than one needs the Redis lock store
printf '[run_rasa] rasa on 127.0.0.1:%s, %s worker(s), model %s, endpoints %s\n' \
    "$RASA_PORT" "$WORKERS" "$MODEL" "$ENDPOINTS" >&2
# --cors is left out on purpose: without it Rasa allows no cross-origin browser access at all (only the API
# gateway on loopback talks to Rasa). scripts/rasa_server.py adds --auth-token from BK_RASA_TOKEN inside the process.
exec "$VENV/bin/python" scripts/rasa_server.py run \
    --model "$MODEL" \
    --endpoints "$ENDPOINTS" \
    --credentials credentials.yml \
    --interface 127.0.0.1 --port "$RASA_PORT" \
    --enable-api \
    --log-file "$LOG_FILE"
