# heroweb: `make run` to serve, `make test` to test. Everything lives in .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
STAMP := $(VENV)/.installed.stamp

.PHONY: install chromium run test lint bench clean

install: $(STAMP)

# The stamp depends on pyproject.toml, so editing dependencies reinstalls and nothing else does.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's chromium for the browser tests, and iproute2's `ss`, which one of them uses to cut
# live connections. Browser downloads (`playwright install`) do not work here; apt does.
chromium:
	@if [ -x /usr/bin/chromium ] && command -v ss >/dev/null; then \
		echo "chromium: /usr/bin/chromium present"; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium iproute2; \
	else \
		echo "chromium: run 'sudo apt-get install -y chromium iproute2' (or 'sudo make chromium')" >&2; \
		exit 1; \
	fi

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py heroweb_firstrun --port $(PORT)
	$(PY) -m uvicorn heroweb.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS) --lifespan off

test: install chromium
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

bench: install
	@set -e; for f in bench/*.py; do \
		[ -e "$$f" ] || continue; \
		echo "== $$f"; $(PY) "$$f"; \
	done

clean:
	rm -rf $(VENV) *.egg-info tests/artifacts
