#!/usr/bin/env bash
# The dashboard and the request list at 100,000 requests: builds a seeded
# database once (foitrack dev seed; kept in $FOITRACK_BENCH_DATA, default
# /tmp/foitrack-bench-100k, reused by later runs), then prints each page's
# p50 and p99 over HTTP. Usage: bench/nextaction.sh [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
data="${FOITRACK_BENCH_DATA:-/tmp/foitrack-bench-$n}"
if [ ! -f "$data/.seeded" ]; then
	mkdir -p "$data"
	pw="$(mktemp)"
	printf 'benchmark-password-1\n' > "$pw"
	go run ./cmd/foitrack --data "$data" dev seed --requests "$n" --messages "$((n / 5))" --password-file "$pw"
	rm -f "$pw"
	touch "$data/.seeded"
fi
FOITRACK_BENCH_DATA="$data" go test -run='^$' -bench='PagesAtScale' -benchtime=50x ./server/ 2>&1 | grep -E '^(Benchmark|cpu|ok|FAIL)'
