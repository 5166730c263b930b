# Two commands for a fresh Debian machine (as root): `make demo` and `make test`.
# Both create .venv, install camaudit with its test tools, and install tshark, tcpdump and tcpreplay when missing.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
export DEBIAN_FRONTEND := noninteractive

.PHONY: setup demo test lint bench clean chromium postgresql

$(STAMP): pyproject.toml
	@command -v tshark >/dev/null 2>&1 || { \
	  echo "Installing tshark (Debian package) ..."; \
	  apt-get update -qq && apt-get install -y -qq tshark >/dev/null; }
	@command -v tcpdump >/dev/null 2>&1 || { \
	  echo "Installing tcpdump (Debian package; the egress pre-filter for capture files) ..."; \
	  apt-get update -qq && apt-get install -y -qq tcpdump >/dev/null; }
	@command -v tcpreplay >/dev/null 2>&1 || { \
	  echo "Installing tcpreplay (Debian package; the egress line-rate test replays a capture in a network namespace) ..."; \
	  apt-get update -qq && apt-get install -y -qq tcpreplay >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/camaudit demo

# The report test renders the HTML report in headless Chromium (Debian's package).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing chromium (Debian package, for the report rendering test) ..."; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The store tests also run against a real PostgreSQL: tests/pgcluster.py starts a throw-away cluster
# from Debian's binaries (as `nobody`, on a Unix socket in a temporary folder) and stops it at the end.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing postgresql (Debian package, for the PostgreSQL store tests) ..."; \
	  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }

test: setup chromium postgresql
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2

bench: setup
	@command -v nmap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nmap >/dev/null; }
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache camaudit.db*
