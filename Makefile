# foitrack — the two commands a newcomer needs:
#   make run    runs foitrack on its embedded default (SQLite under ./foitrack-data)
#   make test   installs what the tests need (Dovecot, Chromium) and runs them all
GO        ?= go
# make run listens on $(ADDR): ADDR=… on the command line, else $FOITRACK_ADDR,
# else 127.0.0.1:8080.
ADDR      ?= $(or $(FOITRACK_ADDR),127.0.0.1:8080)
# -timeout is per package: a guard against a hang, not a speed check. On a machine
# loaded by other jobs (load 20 on 2 cores) the server package took 25 minutes.
TESTFLAGS ?= -race -count=1 -timeout 50m

.PHONY: run demo test test-deps check build bench fuzz clean

# The axe-core release the accessibility tests run (npm registry).
AXE_VERSION ?= 4.14.1

run:
	$(GO) run ./cmd/foitrack serve --addr $(ADDR)

demo:
	$(GO) run ./cmd/foitrack serve --demo --addr $(ADDR)

# A static binary (pure-Go SQLite, no cgo): it runs on any Linux of the same
# architecture, and in a distroless or scratch image. go build stamps the git
# revision into it (foitrack --version).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -o bin/foitrack ./cmd/foitrack

# The test suite needs a real Dovecot (IMAP integration), a real headless
# Chromium (page tests), pdftotext (poppler-utils: text of released PDFs),
# tesseract (tesseract-ocr: scanned pages) and catdoc (Word/Excel 97–2003 and
# RTF). Install them from Debian when missing; as root via
# apt-get directly, otherwise through sudo if there is one.
test-deps:
	@missing=""; \
	command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	command -v catdoc >/dev/null 2>&1 || missing="$$missing catdoc"; \
	if [ -n "$$missing" ]; then \
		echo "installing test dependencies:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || \
			{ echo "could not install:$$missing (needed by the tests)"; exit 1; }; \
	fi
	@# axe-core, for the accessibility audit of the browser tests: from the npm
	@# registry into .axe/ (git-ignored), never committed.
	@if [ ! -f .axe/axe.min.js ]; then \
		command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch axe-core for the accessibility tests"; exit 1; }; \
		mkdir -p .axe && cd .axe && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
		tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js . && rm -rf package axe-core-*.tgz || \
		{ echo "could not fetch axe-core $(AXE_VERSION)"; exit 1; }; \
	fi

check:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

test: test-deps check
	$(GO) test $(TESTFLAGS) ./...

bench:
	bench/run.sh

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParseMessage -fuzztime=60s ./mailsync/

clean:
	rm -rf bin
