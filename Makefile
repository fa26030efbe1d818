# `make run` and `make test` set up whatever is missing first: the bot's venv, the compiled
# message catalogues, the Rasa venv and model and the Bot API emulator for end-to-end tests
# (both cached by a hash of their inputs under ~/.cache/familydoc), and the database schema.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CACHE ?= $(HOME)/.cache/familydoc
NODE_KEY := $(shell cat tests/e2e/package.json tests/e2e/package-lock.json | sha256sum | cut -c1-12)
NODE_DIR := $(CACHE)/node-$(NODE_KEY)
PO := $(wildcard bot/locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test bench lint format messages setup e2e-deps nlu-model triage-model clean

# The bot works without NLU (menus, triage); if the Rasa build fails here, run goes on.
run: setup
	@bash nlu/build.sh >/dev/null || echo "make: NLU model not built; the bot runs without it"
	$(BIN)/familydoc run

test: setup e2e-deps nlu-model
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) TELEGRAM_TEST_API_DIR=$(NODE_DIR) \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup nlu-model
	$(BIN)/python -m tests.bench.bench_updates
	$(BIN)/python -m tests.bench.bench_nlu

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

setup: $(VENV)/.installed $(MO)

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

%.mo: %.po $(VENV)/.installed
	@$(BIN)/pybabel compile --use-fuzzy -d bot/locales -D messages -i $< -o $@ 2>/dev/null

# The npm Bot API emulator, installed once per lock-file version outside the clone.
e2e-deps: $(NODE_DIR)/.installed

# Built in a private temp dir and renamed into place, so a half-done or concurrent install is
# never mistaken for a complete one.
$(NODE_DIR)/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	@mkdir -p $(CACHE)
	@set -e; tmp=$$(mktemp -d $(CACHE)/node-build.XXXXXX); \
	cp tests/e2e/package.json tests/e2e/package-lock.json $$tmp/; \
	(cd $$tmp && npm ci --no-audit --no-fund --loglevel=error); \
	touch $$tmp/.installed; \
	if [ -f $@ ]; then rm -rf $$tmp; else rm -rf $(NODE_DIR); mv -T $$tmp $(NODE_DIR); fi

# Rasa's own Python 3.10 venv and the trained model, cached under $(CACHE) by input hash
# (nlu/build.sh: minutes the first time, instant afterwards).
nlu-model:
	bash nlu/build.sh >/dev/null

# After changing a development blind set or tests/nlu/triage_cases.yml: retrain triage's model
# and commit nlu/triage/model.npz (tests/nlu/test_triage_model.py checks it is current).
triage-model: setup
	$(BIN)/python -m nlu.triage.train

# After changing texts in code: refresh the catalogue template and merge it into each language.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k gettext --no-location --sort-output \
		--omit-header --width 100 -o bot/locales/messages.pot . >/dev/null
	$(BIN)/pybabel update -i bot/locales/messages.pot -d bot/locales -D messages \
		--no-fuzzy-matching --omit-header --width 100

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
