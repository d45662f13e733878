# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXAMPLE := examples/messy-ml-repo

.PHONY: demo test bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== mllint check $(EXAMPLE) (a messy ML repository) =="
	@$(BIN)/mllint check --no-cache $(EXAMPLE); status=$$?; \
	  echo "(exit code $$status: 1 means findings)"; test $$status -le 1

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Regenerate the rule reference and the generated tables in docs/ from the catalogue.
docs: $(STAMP)
	$(BIN)/python -m mllint.docgen

clean:
	rm -rf $(VENV) .pytest_cache .mllint_cache
