# The two commands of the README are `make run` and `make test`; both set up what they need first.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
export PORT

.PHONY: run test test-production setup setup-test index lint bench-search bench-chat bench-soak eval-dialogues clean

run: setup
	$(PY) scripts/run.py

test: setup-test
	$(PY) -m knowledge validate
	$(PY) -m ruff check knowledge api actions contract scripts tests
	$(PY) -m pytest

# Only the production-profile tests (also part of `make test`): one production stack, broken with signals.
test-production: export BK_PROFILE = production
test-production: setup-test
	$(PY) -m pytest -m production tests/production

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

index: setup
	$(PY) -m knowledge build

lint: setup
	$(PY) -m ruff check knowledge api actions contract scripts tests
	$(PY) -m mypy

bench-search: setup
	$(PY) scripts/bench_search.py

bench-chat: setup
	$(PY) scripts/bench_chat.py

# 10 minutes of 200 conversations on the production profile, then 1 vs 2 Rasa replicas at saturation; figures
# also in var/bench-soak.json. SOAK_ARGS= shortens or skips parts, e.g. "--soak-seconds 60 --conversations 50".
# BK_PROFILE=production here makes the setup prepare PostgreSQL too.
bench-soak: export BK_PROFILE = production
bench-soak: setup
	$(PY) scripts/bench_soak.py --json var/bench-soak.json $(SOAK_ARGS)

# Whole conversations through the stack against the BM25-over-the-conversation baseline; FILE= another file,
# URL= a running stack instead of starting one.
FILE ?= ../shared/eval/dialogues-dev.yaml
eval-dialogues: setup
	$(PY) scripts/eval_dialogues.py $(FILE) $(if $(URL),--url $(URL))

clean:
	rm -rf knowledge/build models var results tests/artifacts
