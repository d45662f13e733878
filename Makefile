# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXAMPLE := examples/messy-ml-repo
DEMO_PROJECT := .cache/demo/breast-cancer-classifier

# The suite runs on the oldest and the newest Python >= 3.10 found on PATH or under pyenv (each in its
# own .venv-X.Y); the end-to-end tests (generated projects, the editor extension) run once, in .venv.
PYTHONS := $(shell for v in 10 11 12 13 14; do for p in $$(command -v python3.$$v) $$HOME/.pyenv/versions/3.$$v.*/bin/python3.$$v; do \
             [ -x "$$p" ] && "$$p" -c 'import sys' >/dev/null 2>&1 && echo "$$p" && break; done; done)
SUITE_PYTHONS := $(sort $(firstword $(PYTHONS)) $(lastword $(PYTHONS)))

.PHONY: demo test typecheck bench fuzz docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== mllint check $(EXAMPLE) (a messy ML repository) =="
	@$(BIN)/mllint check --no-cache $(EXAMPLE); status=$$?; \
	  echo "(exit code $$status: 1 means findings)"; test $$status -le 1
	@echo
	@echo "== mllint new $(DEMO_PROJECT) --no-input, then mllint check --select ALL (the template) =="
	@rm -rf $(DEMO_PROJECT)
	@$(BIN)/mllint new $(DEMO_PROJECT) --no-input
	@$(BIN)/mllint check --no-cache --select ALL $(DEMO_PROJECT); status=$$?; \
	  echo "(exit code $$status: 0 means no findings)"; test $$status -eq 0

test: typecheck
	$(BIN)/python -m pytest -q -m e2e
	@test -n "$(SUITE_PYTHONS)" || { echo "no python3.10+ found besides $(PY): the suite runs in .venv"; \
	  $(BIN)/python -m pytest -q -m "not e2e"; exit $$?; }
	@for py in $(SUITE_PYTHONS); do \
	  v=$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])'); venv=.venv-$$v; \
	  if ! test -x $$venv/bin/python || ! test $$venv/.installed-stamp -nt pyproject.toml; then \
	    "$$py" -m venv $$venv && $$venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' \
	      && touch $$venv/.installed-stamp || exit 1; \
	  fi; \
	  echo "== the suite on Python $$v ($$py) =="; \
	  $$venv/bin/python -m pytest -q -m "not e2e" || exit 1; \
	done

# mypy --strict on mllint/ (the configuration is in pyproject.toml).
typecheck: $(STAMP)
	$(BIN)/python -m mypy

# Regenerate the rule reference and the generated tables in docs/ from the catalogue.
docs: $(STAMP)
	$(BIN)/python -m mllint.docgen

# Benchmark: mllint cold/warm/touched vs the ast.parse floor, dslinter (own Python 3.10 venv) and ruff,
# on synthetic ML repositories of 300/1000/3000 files (docs/benchmarks.md). BENCH_ARGS="--repo PATH" adds a repo.
DSLINTER_PY ?= $(shell for p in $$HOME/.pyenv/versions/3.10*/bin/python3.10 $$(command -v python3.10); do "$$p" -c 'import sys' >/dev/null 2>&1 && echo "$$p" && break; done)
BENCH_ARGS ?=
bench: $(STAMP) bench/.venv-dslinter/.stamp
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench/.venv-dslinter/.stamp:
	@if [ -n "$(DSLINTER_PY)" ]; then \
	  ($(DSLINTER_PY) -m venv bench/.venv-dslinter && bench/.venv-dslinter/bin/pip install --quiet \
	    dslinter==2.0.9 pylint==2.12.2 astroid==2.9.3 && touch $@) || echo "dslinter could not be installed: skipped"; \
	else echo "no Python 3.10 for dslinter: skipped"; fi

# The long fuzz run (the CI suite runs the same property tests with a small budget; docs/hardening.md).
fuzz: $(STAMP)
	MLLINT_FUZZ=long $(BIN)/python -m pytest -q tests/test_fuzz.py -p no:cacheprovider

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .mllint_cache
