# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up on demand.
PYTHON ?= python3
PORT ?= 8000
# Links in the demo's mail and reminders point at the port it serves on, unless set already.
DVK_SITE_URL ?= http://127.0.0.1:$(PORT)
# The suite on both cores of a CI machine (pytest-xdist: each worker its own test database
# and Redis databases); `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n 2
# The demo runs with DEBUG off (the product's own error pages); DJANGO_DEBUG=1 make run for Django's.
RUN_ENV := DJANGO_SETTINGS_MODULE=dvk.settings.local DVK_SITE_URL=$(DVK_SITE_URL)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench check-deploy compose-check lint vendor migrate demo clean help

help:
	@echo "make run            the app on http://127.0.0.1:$(PORT) (SQLite, Celery inline, demo data)"
	@echo "make test           the suite against PostgreSQL and Redis"
	@echo "make bench          benchmarks on a national-size tree (PostgreSQL)"
	@echo "make check-deploy   Django's deploy checks with the production settings of docker-compose.yml"

$(VENV)/.run-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries and fonts come from npm at build time; the copies are build output.
static/vendor/.built: node_modules/.installed
	rm -rf static/vendor && mkdir -p static/vendor/fonts static/vendor/tinos
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/
	cp node_modules/bootstrap-icons/font/fonts/* static/vendor/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/
	cp node_modules/idb/build/umd.js static/vendor/idb.umd.js
	cp node_modules/@fontsource/tinos/files/tinos-*-400-normal.woff2 node_modules/@fontsource/tinos/files/tinos-*-700-normal.woff2 static/vendor/tinos/
	mkdir -p static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui.css.map node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js node_modules/swagger-ui-dist/favicon-32x32.png static/vendor/swagger-ui/
	touch $@

vendor: static/vendor/.built

migrate: $(VENV)/.run-installed vendor
	mkdir -p var
	DJANGO_SETTINGS_MODULE=dvk.settings.local $(PY) manage.py migrate --noinput

run: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "DVK: http://127.0.0.1:$(PORT)/  (demo accounts in README.md)"
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed vendor lint
	@$(PY) scripts/check_services.py
	@$(PY) scripts/ensure_chromium.py
	DJANGO_SETTINGS_MODULE=dvk.settings.test $(PY) -m pytest $(PYTEST_ARGS)

# CI runs it through `make test`: a lint or format error fails the build like a test.
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.dev-installed vendor
	@$(PY) scripts/check_services.py
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/campaigns.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/registrations.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/boards.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/scoring.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/offline.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/sync.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/results.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/meetings.py $(filter-out --rebuild,$(BENCH_ARGS))
	$(PY) bench/sqlite_preview.py

check-deploy: $(VENV)/.run-installed vendor
	scripts/check_deploy.sh

compose-check:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf $(VENV) node_modules static/vendor var
