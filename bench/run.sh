#!/usr/bin/env bash
# Prints foitrack's performance figures (see bench/README.md). Speed is
# measured here, never asserted in tests.
#
#   bench/run.sh micro [-count=N]        Go benchmarks of the packages (compare runs with benchstat)
#   bench/run.sh pages N [SECONDS]       seed N requests (once, cached under $BENCH_DIR), then drive every page
#                                        (DRIVER=wrk: driven by Debian's wrk instead of pagebench's own loop)
#   bench/run.sh ingest [MESSAGES]       foitrack's mail sync against mbsync on one Dovecot mailbox (default 10000)
#   bench/run.sh recompute N [--every]   time `foitrack recompute` (with --every: working out every request) of the N-request database
#   bench/run.sh suite N [SECONDS]       all of issue 16's figures in one run: pages N, recompute N (--every twice, then
#                                        nothing changed), ingest of 10,000 messages against mbsync
#
# BENCH_DIR (default /tmp/foitrack-bench) keeps the seeded databases between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-micro}"
dir="${BENCH_DIR:-/tmp/foitrack-bench}"
mkdir -p "$dir"
bin="$dir/foitrack"

build() { go build -o "$bin" ./cmd/foitrack; }

seeded() { # seeded N: the data directory of N requests, built once
	local n="$1" data="$dir/seed-$1"
	if [ ! -f "$data/.seeded" ]; then
		rm -rf "$data"
		echo "seeding $n requests into $data (once; dev seed prints its progress on a terminal)" >&2
		/usr/bin/time -f "seed: %e s wall, %U s user, %M kB max RSS" "$bin" --data "$data" dev seed --requests "$n" >&2
		touch "$data/.seeded"
	fi
	echo "$data"
}

case "$what" in
micro)
	count="${2:--count=1}"
	go test -run='^$' -bench=. -benchmem "$count" ./tracker/ ./store/ ./mailsync/ ./server/ 2>&1 | grep -E '^(Benchmark|goos|goarch|cpu|pkg|ok|FAIL)'
	;;
pages)
	n="${2:?give the number of requests, e.g. bench/run.sh pages 10000}"
	secs="${3:-5}"
	build
	data="$(seeded "$n")"
	go run ./bench/pagebench --data "$data" --bin "$bin" --duration "${secs}s" --driver "${DRIVER:-go}" --json "$dir/pages-$n-${DRIVER:-go}.json"
	;;
ingest)
	FOITRACK_BENCH=1 FOITRACK_BENCH_MESSAGES="${2:-10000}" go test -count=1 -timeout 60m -run TestIngestAgainstMbsync -v ./bench/ |
		grep -E '^(ingest|round|    ingest_test|--- |ok|FAIL)'
	;;
recompute)
	n="${2:?give the number of requests}"
	build
	data="$(seeded "$n")"
	shift 2
	/usr/bin/time -f "recompute of $n requests: %e s wall, %U s user, %S s sys, %M kB max RSS" "$bin" --data "$data" recompute "$@"
	;;
suite)
	n="${2:?give the number of requests, e.g. bench/run.sh suite 100000}"
	"$0" pages "$n" "${3:-5}"
	"$0" recompute "$n" --every
	"$0" recompute "$n" --every
	"$0" recompute "$n"
	"$0" ingest 10000
	;;
*)
	echo "usage: bench/run.sh micro|pages N [SECONDS]|ingest [MESSAGES]|recompute N [--every]|suite N [SECONDS]" >&2
	exit 2
	;;
esac
