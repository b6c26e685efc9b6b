# make demo — set everything up and run the main job on fixtures/demo
# make test — set everything up and run the test suite
# make external — score the external corpora (../shared/corpus/external) in one table
# make readme, make schema — regenerate the README's rule table and models/export.schema.json
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
OCR_LANGS := eng spa deu fra ita por nld tur chi-sim
APT_PKGS := tesseract-ocr tesseract-ocr-osd $(addprefix tesseract-ocr-,$(OCR_LANGS)) poppler-utils chromium

export OMP_THREAD_LIMIT := 1
empty :=
space := $(empty) $(empty)

.PHONY: demo test setup system-deps bench clean fixtures external readme schema

demo: setup
	$(BIN)/appraiser run fixtures/demo --db demo.db

test: setup
	$(BIN)/pytest

setup: system-deps $(STAMP)

system-deps:
	@if ! command -v tesseract >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v chromium >/dev/null \
	    || [ "$$(tesseract --list-langs 2>/dev/null | grep -cxE 'osd|$(subst $(space),|,$(subst -,_,$(OCR_LANGS)))')" -lt $(words osd $(OCR_LANGS)) ]; then \
	  echo "Installing Tesseract, poppler and Chromium (the report test renders in it) with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PKGS); \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

fixtures: setup
	$(BIN)/python -m appraiser.fixtures.generate all

bench: setup
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m appraiser.bench

clean:
	rm -rf $(VENV) demo.db appraiser.db *.egg-info

external: setup
	$(BIN)/appraiser external

# the README's rule table and the export JSON Schema are generated from the rule specs and the doc-type table
readme: $(STAMP)
	$(BIN)/python -m appraiser.audit.rules --readme README.md

schema: $(STAMP)
	$(BIN)/python -m appraiser.models.schema
