#!/usr/bin/env bash
# Train the Rasa model models/rasa-model.tar.gz — only when it is missing or its inputs changed.
#
#   scripts/train_rasa.sh [--force] [--check]
#
# Inputs (content hash, stored next to the model in models/rasa-model.inputs.sha256): config.yml, every file of
# bot/ (domain, training data, custom components, channel; __pycache__ and the spaCy build output left out), the
# stamp of the built spaCy pipeline (bot/spacy/de_bk/bk_inputs.json: hash of its own inputs) and the Rasa version.
# --check: exit 0 when the model is up to date, 1 when it would be trained (trains nothing).
# Needs .venv-rasa (scripts/setup_rasa.sh); builds the spaCy pipeline first if needed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${BK_RASA_VENV:-$ROOT/.venv-rasa}"
MODEL_NAME="rasa-model"
MODEL="models/$MODEL_NAME.tar.gz"
HASH_FILE="models/$MODEL_NAME.inputs.sha256"
export TF_CPP_MIN_LOG_LEVEL=3 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1

force=0
check=0
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        --check) check=1 ;;
        *) echo "usage: $0 [--force] [--check]" >&2; exit 2 ;;
    esac
done

log() { printf '[train_rasa] %s\n' "$*" >&2; }

if [ ! -x "$VENV/bin/rasa" ]; then
    log "$VENV has no rasa: run scripts/setup_rasa.sh first"
    exit 1
fi

"$VENV/bin/python" bot/spacy/build_pipeline.py >&2

# Everything the model is trained from; bot/channels is code the server runs (the input channel), not an input.
inputs_hash() {
    {
        echo "rasa $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("rasa"))')"
        find config.yml bot -type f \
            -not -path '*/__pycache__/*' -not -name '*.pyc' -not -path 'bot/spacy/de_bk/*' \
            -not -path 'bot/channels/*' -print0 \
            | LC_ALL=C sort -z | xargs -0 sha256sum
        sha256sum bot/spacy/de_bk/bk_inputs.json
    } | sha256sum | cut -d' ' -f1
}

hash="$(inputs_hash)"
if [ "$force" = 0 ] && [ -f "$MODEL" ] && [ -f "$HASH_FILE" ] && [ "$(cat "$HASH_FILE")" = "$hash" ]; then
    log "$MODEL is up to date (inputs $hash)"
    exit 0
fi
if [ "$check" = 1 ]; then
    log "$MODEL is missing or out of date"
    exit 1
fi

mkdir -p models
rm -f "$HASH_FILE"
log "training $MODEL ..."
start=$(date +%s)
"$VENV/bin/rasa" train \
    --config config.yml --domain bot/domain --data bot/data \
    --out models --fixed-model-name "$MODEL_NAME" --force
echo "$hash" > "$HASH_FILE"
log "trained $MODEL in $(( $(date +%s) - start )) s"
