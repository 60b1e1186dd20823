#!/usr/bin/env bash
# Prints foitrack's performance figures (see bench/README.md, "How to run").
# Speed is measured here, never asserted in tests.
#
#   bench/run.sh seed N                  time a fresh dev seed of N requests into $BENCH_DIR/seed-N (kept for the others)
#   bench/run.sh pages N|DIR [SECONDS]   drive every page (SECONDS each, default 5) of the N-request database (seeded
#                                        once under $BENCH_DIR), or of the foitrack data directory DIR as it is;
#                                        DRIVER=wrk: driven by Debian's wrk; PAGEBENCH_FLAGS: more pagebench flags
#   bench/run.sh startup N|DIR           start-up time and idle memory only (pagebench with the static file alone)
#   bench/run.sh recompute N|DIR [--every]  time `foitrack recompute` (with --every: working out every request)
#   bench/run.sh ingest [MESSAGES]       foitrack's mail sync against mbsync on one Dovecot mailbox (default 10000)
#   bench/run.sh micro [-count=N]        Go benchmarks of the packages (compare runs with benchstat)
#   bench/run.sh suite N|DIR [SECONDS]   all of issue 16's figures in one run: pages, recompute (--every twice, then
#                                        nothing changed), ingest of 10,000 messages against mbsync
#
# BENCH_DIR (default /tmp/foitrack-bench) holds the binary, the seeded databases and the JSON reports.
# A DIR given instead of N is used as it is, never seeded or deleted; the binary built here upgrades
# its schema if it is older (pagebench also signs in: it writes a session and an API token).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-micro}"
dir="${BENCH_DIR:-/tmp/foitrack-bench}"
mkdir -p "$dir"
bin="$dir/foitrack"

build() { go build -o "$bin" ./cmd/foitrack; }

seed() { # seed N DATA: dev seed of N requests into DATA, timed
	local n="$1" data="$2"
	echo "seeding $n requests into $data (dev seed prints its progress on a terminal)" >&2
	touch "$data.seeding" # beside it: dev seed wants an empty folder
	/usr/bin/time -f "seed: %e s wall, %U s user, %S s sys, %M kB max RSS" "$bin" --data "$data" dev seed --requests "$n" >&2
	rm -f "$data.seeding"
}

data() { # data N|DIR: the data directory of N requests, seeded once, or DIR itself
	local arg="$1"
	if ! [[ "$arg" =~ ^[0-9]+$ ]]; then
		[ -f "$arg/foitrack.db" ] || { echo "$arg: no foitrack.db in it (give N to seed one, or a foitrack data directory)" >&2; exit 2; }
		echo "$arg"
		return
	fi
	local data="$dir/seed-$arg"
	if [ -f "$data/foitrack.db" ] && [ ! -e "$data/foitrack.db.bulk-load" ] && [ ! -e "$data.seeding" ]; then
		echo "$data" # seeded before
		return
	fi
	if [ -e "$data" ] && [ ! -e "$data.seeding" ]; then
		echo "$data is not a finished seed of this script's; delete it or set BENCH_DIR" >&2
		exit 2
	fi
	rm -rf "$data" # this script's own seed, interrupted
	seed "$arg" "$data"
	echo "$data"
}

# PAGEBENCH_FLAGS is read as shell words, quotes included: --also 'NAME=PATH'.
eval "flags=(${PAGEBENCH_FLAGS:-})"

label() { if [[ "$1" =~ ^[0-9]+$ ]]; then echo "$1"; else basename "$1"; fi; }

case "$what" in
seed)
	n="${2:?give the number of requests, e.g. bench/run.sh seed 10000}"
	[[ "$n" =~ ^[0-9]+$ ]] || { echo "bench/run.sh seed N: N is a number of requests" >&2; exit 2; }
	data="$dir/seed-$n"
	if [ -e "$data" ]; then
		echo "$data exists: delete it first (rm -rf $data) to time a fresh seed" >&2
		exit 2
	fi
	build
	seed "$n" "$data"
	;;
pages)
	arg="${2:?give the number of requests or a data directory, e.g. bench/run.sh pages 10000}"
	secs="${3:-5}"
	build
	data="$(data "$arg")"
	go run ./bench/pagebench --data "$data" --bin "$bin" --duration "${secs}s" --driver "${DRIVER:-go}" \
		--json "$dir/pages-$(label "$arg")-${DRIVER:-go}.json" "${flags[@]}"
	;;
startup)
	arg="${2:?give the number of requests or a data directory}"
	build
	data="$(data "$arg")"
	go run ./bench/pagebench --data "$data" --bin "$bin" --duration 1s --pages 'static css' "${flags[@]}" |
		grep -E '^(Start-up|[0-9]+ requests)'
	;;
ingest)
	FOITRACK_BENCH=1 FOITRACK_BENCH_MESSAGES="${2:-10000}" go test -count=1 -timeout 60m -run TestIngestAgainstMbsync -v ./bench/ |
		grep -E '^(ingest|round|    ingest_test|--- |ok|FAIL)'
	;;
recompute)
	arg="${2:?give the number of requests or a data directory}"
	build
	data="$(data "$arg")"
	shift 2
	/usr/bin/time -f "recompute${*:+ $*}: %e s wall, %U s user, %S s sys, %M kB max RSS" "$bin" --data "$data" recompute "$@"
	;;
micro)
	count="${2:--count=1}"
	go test -run='^$' -bench=. -benchmem -timeout 60m "$count" ./tracker/ ./store/ ./mailsync/ ./server/ 2>&1 | grep -E '^(Benchmark|goos|goarch|cpu|pkg|ok|FAIL)'
	;;
suite)
	arg="${2:?give the number of requests or a data directory, e.g. bench/run.sh suite 100000}"
	"$0" pages "$arg" "${3:-5}"
	"$0" recompute "$arg" --every
	"$0" recompute "$arg" --every
	"$0" recompute "$arg"
	"$0" ingest 10000
	;;
*)
	echo "usage: bench/run.sh seed N|pages N|DIR [SECONDS]|startup N|DIR|recompute N|DIR [--every]|ingest [MESSAGES]|micro|suite N|DIR [SECONDS]" >&2
	exit 2
	;;
esac
