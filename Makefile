# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench screenshot summary-picture clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when the project's metadata changed.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m desktop_app

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The desktop app: PyInstaller's one-folder bundle in $(DIST)/Stocksheet (packaging/README.md).
# Its own venv holding only the runtime dependencies and PyInstaller: the bundle takes in what it imports.
.PHONY: package
PACKAGE_VENV := .venv-package
DIST ?= dist
$(PACKAGE_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(PACKAGE_VENV)
	$(PACKAGE_VENV)/bin/python -m pip install -q --upgrade pip
	$(PACKAGE_VENV)/bin/python -m pip install -q -e '.[package]'
	touch $@

package: $(PACKAGE_VENV)/.installed
	$(PACKAGE_VENV)/bin/pyinstaller packaging/stocksheet.spec --noconfirm --log-level WARN \
	    --distpath $(DIST) --workpath build/pyinstaller
	@echo "Bundle: $(DIST)/Stocksheet ($$(du -sh $(DIST)/Stocksheet | cut -f1))"

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

screenshot: $(STAMP)
	# a fresh STOCKSHEET_HOME: the demo store starts from its seed state, so the picture is reproducible
	STOCKSHEET_HOME=$$(mktemp -d) xvfb-run -a -s "-screen 0 1400x900x24" $(BIN)/python -m desktop_app --screenshot docs/screenshot.png

summary-picture: $(STAMP)
	# the README's picture of a report's Summary sheet, rendered through LibreOffice (PDF -> PNG)
	$(BIN)/python docs/summary_picture.py docs/summary.png

clean:
	rm -rf $(VENV) build *.egg-info
