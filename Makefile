# The two set-up commands: `make run` and `make test`. Each creates the venv and installs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test sync check lint bench bench-peers bench-memory evaluate demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start the service: scheduled syncs + read-only Datasette on :8001
	$(BIN)/coopwatch run

sync: $(STAMP)  ## one sync pass over sources.yaml
	$(BIN)/coopwatch sync

check: $(STAMP)  ## validate sources.yaml
	$(BIN)/coopwatch check

test: $(STAMP)  ## the whole suite, with ruff
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-memory: $(STAMP)  ## coopwatch run's RSS over 10,000 and 1,000,000 items while it syncs (~5 GB disk)
	$(BIN)/python -m bench.service_memory

bench-peers: $(STAMP)  ## dates and text beside htmldate/trafilatura on their own pages: bench/PEERS.md
	$(BIN)/python bench/peers.py --sync

evaluate: $(STAMP)  ## classifier scores (tuned | holdout | ../shared/dev-corpus) -> bench/EVALUATION.md
	$(BIN)/python bench/evaluate.py --record bench/EVALUATION.md

clean:
	rm -rf $(VENV) build *.egg-info

demo: $(STAMP)  ## a loopback news site, synced and served: no internet needed
	$(BIN)/python demo/run.py
