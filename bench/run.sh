#!/usr/bin/env bash
# Prints foitrack's performance figures. Speed is measured here, never
# asserted in tests. Usage: bench/run.sh [-count N]   (compare runs with benchstat)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:--count=1}"
go test -run='^$' -bench=. -benchmem "$count" ./tracker/ ./store/ ./mailsync/ ./server/ 2>&1 | grep -E '^(Benchmark|goos|goarch|cpu|pkg|ok|FAIL)'
