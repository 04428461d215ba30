#!/usr/bin/env bash
# Create the Rasa environment (.venv-rasa) and build the project's spaCy pipeline (bot/spacy/de_bk).
#
# Rasa Open Source 3.6.21 supports Python 3.8-3.10 only, so it lives in its own virtual environment beside the
# Python 3.11 project environment (.venv). Idempotent: an environment that already has rasa 3.6.21 and spaCy is
# left alone, and the spaCy pipeline is only rebuilt when its inputs changed.
#
# Python is looked up in this order:
#   1. $BK_RASA_PYTHON (an interpreter path, must be 3.10 or 3.9)
#   2. pyenv's 3.10.x (~/.pyenv/versions/3.10.*), then python3.10 on PATH
#   3. python3.9 on PATH (or pyenv 3.9.x)
#   4. Debian: python3.9 from bullseye via apt (needs root), with bullseye's distutils extracted by dpkg -x
#
# Environment: BK_RASA_VENV (default .venv-rasa), BK_RASA_PYTHON, BK_SKIP_SPACY_BUILD=1 (skip the pipeline build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RASA_VERSION="3.6.21"
SPACY_SPEC="spacy>=3.4.4,<3.5"
LOOKUPS_SPEC="spacy-lookups-data==1.0.5"
# jsonschema 3.2 (inside Rasa's own range >=3.2,<4.18): Rasa validates every action-server response with
# jsonschema.validate(), which re-checks Rasa's event schema against its meta-schema on every call. With 4.17 (the
# newest the range allows, draft 2020-12) that costs ~30 ms of CPU per custom action, with 3.2 (draft 7) ~3.5 ms.
# Measured: docs/architecture.md, "Chat latency".
JSONSCHEMA_SPEC="jsonschema==3.2.0"
VENV="${BK_RASA_VENV:-$ROOT/.venv-rasa}"

log() { printf '[setup_rasa] %s\n' "$*" >&2; }

# Prints the interpreter path if it runs and is Python 3.9 or 3.10.
usable_python() {
    local candidate="$1"
    [ -n "$candidate" ] || return 1
    "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 10), (3, 9)) else 1)' \
        >/dev/null 2>&1 || return 1
    "$candidate" -c 'import sys; print(sys.executable)'
}

bullseye_python39() {
    # Last resort on Debian bookworm or newer: python3.9 from bullseye, pinned low so nothing else is taken from it.
    # Runs inside $(...) || …, where `set -e` does not apply: every step checks its own result.
    if [ "$(id -u)" != "0" ]; then
        log "no Python 3.10/3.9 found and not root: install one or set BK_RASA_PYTHON"
        return 1
    fi
    command -v apt-get >/dev/null || { log "no apt-get: install Python 3.10 and set BK_RASA_PYTHON"; return 1; }
    log "installing python3.9 from Debian bullseye"
    if ! grep -rqs "bullseye main" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deb http://deb.debian.org/debian bullseye main" > /etc/apt/sources.list.d/bullseye-python39.list
    fi
    printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' > /etc/apt/preferences.d/bullseye-python39
    apt-get update -qq || { log "apt-get update failed"; return 1; }
    # Only python3.9 itself: python3.9-venv and python3-distutils of bullseye conflict with bookworm's packages.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bullseye python3.9 >&2 \
        || { log "apt-get install -t bullseye python3.9 failed"; return 1; }
    # libpython3.9-stdlib has only a stub of distutils, which pip needs inside a virtual environment; take the
    # files of bullseye's python3-distutils without installing the package.
    if [ ! -f /usr/lib/python3.9/distutils/util.py ]; then
        local tmp
        tmp="$(mktemp -d)"
        chown _apt "$tmp" 2>/dev/null || true  # apt-get download writes as the _apt user
        if ! { (cd "$tmp" && apt-get download python3-distutils/bullseye >&2) \
                && dpkg -x "$tmp"/python3-distutils_*.deb "$tmp/x" \
                && cp -r "$tmp/x/usr/lib/python3.9/distutils/." /usr/lib/python3.9/distutils/; }; then
            log "could not add bullseye's distutils to /usr/lib/python3.9"
            rm -rf "$tmp"
            return 1
        fi
        rm -rf "$tmp"
    fi
    usable_python /usr/bin/python3.9
}

# Create the Rasa environment $VENV with pip. Debian's bullseye python3.9 has no ensurepip on bookworm (its
# python3.9-venv package cannot be installed there), so the environment is made without pip, and pip is bootstrapped
# from its wheel, fetched by the project environment's pip.
make_venv() {
    local py="$1" wheels wheel version
    if "$py" -c 'import ensurepip' >/dev/null 2>&1; then
        "$py" -m venv "$VENV"
        return
    fi
    [ -x "$ROOT/.venv/bin/python" ] || { log "$py has no ensurepip and there is no .venv to fetch pip with"; return 1; }
    "$py" -m venv --without-pip "$VENV"
    version="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    wheels="$(mktemp -d)"
    "$ROOT/.venv/bin/python" -m pip download --quiet --no-deps --only-binary=:all: --python-version "$version" \
        -d "$wheels" "pip<25"
    wheel="$(ls "$wheels"/pip-*.whl)"
    "$VENV/bin/python" "$wheel/pip" install --quiet --no-index "$wheel"
    rm -rf "$wheels"
}

find_python() {
    local p
    if [ -n "${BK_RASA_PYTHON:-}" ]; then
        usable_python "$BK_RASA_PYTHON" && return 0
        log "BK_RASA_PYTHON=$BK_RASA_PYTHON is not a working Python 3.10/3.9"
        return 1
    fi
    for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10 "$(command -v python3.10 || true)" \
             "$(command -v python3.9 || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.9.*/bin/python3.9; do
        [ -x "$p" ] || continue
        usable_python "$p" && return 0
    done
    bullseye_python39
}

rasa_ok() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$RASA_VERSION" "${JSONSCHEMA_SPEC#*==}" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
assert version("rasa") == sys.argv[1]
assert version("jsonschema") == sys.argv[2]
import spacy, spacy_lookups_data  # noqa: F401
assert spacy.__version__.startswith("3.4.")
EOF
}

if rasa_ok; then
    log "$VENV already has rasa $RASA_VERSION and spaCy 3.4: skipping the installation"
else
    PY="$(find_python)" || exit 1
    log "using $PY ($("$PY" --version 2>&1))"
    start=$(date +%s)
    if [ ! -x "$VENV/bin/python" ]; then
        make_venv "$PY"
    fi
    "$VENV/bin/python" -m pip install --quiet --upgrade "pip<25" "setuptools<70" wheel
    "$VENV/bin/python" -m pip install --quiet "rasa[spacy]==$RASA_VERSION" "$SPACY_SPEC" "$LOOKUPS_SPEC" \
        "$JSONSCHEMA_SPEC"
    rasa_ok || { log "installation finished but the check failed"; exit 1; }
    log "installed rasa $RASA_VERSION in $(( $(date +%s) - start )) s"
fi

if [ "${BK_SKIP_SPACY_BUILD:-0}" != "1" ]; then
    "$VENV/bin/python" "$ROOT/bot/spacy/build_pipeline.py"
fi
