#!/usr/bin/env bash
# Benchmark for PRODUCT.md's budgets: native import of N customers (default 100,000) and
# unlock + first search result on the result, with Argon2id at its floor. Prints wall time
# and peak RSS from /usr/bin/time -v. Usage: bench/import-and-search.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
[ -n "${BENCH_SKIP_BUILD:-}" ] || cargo build --release -q -p sallyport-cli # BENCH_SKIP_BUILD=1: time the binary as built
BIN=target/release/sallyport
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_customers.py "$N" "$work/customers.csv"
pw='benchmark master password'
extra_line=() # a second stdin line (passwd's new password)
run() { # label, then command; prints "label: wall s, peak RSS MB"
  sync # the previous run's 100 MB of writeback would otherwise be timed too
  local label=$1; shift
  printf '%s\n' "$pw" "${extra_line[@]}" | /usr/bin/time -v "$@" > "$work/out" 2> "$work/time" || { cat "$work/time"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time")
  printf '%-34s wall %8s   peak RSS %7s MB\n' "$label" "$wall" "$rss"
}
export SALLYPORT_VAULT="$work/vault.sallyport"
printf '%s\n' "$pw" | $BIN --password-stdin init --staff Bench --kdf-memory-kib 19456 --kdf-iterations 2 > /dev/null
echo "Sallyport $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $N customers, Argon2id floor (19456 KiB, t=2)"
run "unlock + list (empty vault)" $BIN --password-stdin list nothing-matches
run "import $N rows" $BIN --password-stdin import "$work/customers.csv" --json
cat "$work/out"
run "unlock + list QUERY (1 hit)" $BIN --password-stdin list C054321 --json
run "unlock + list QUERY (many hits)" $BIN --password-stdin list "acme health" --json
echo "hits for 'acme health': $(grep -o '"code"' "$work/out" | wc -l)"
ls -l "$SALLYPORT_VAULT" | awk '{printf "vault file: %.1f MB\n", $5/1048576}'
extra_line=("$pw") # passwd --rotate-key: the same password, a new data key
run "passwd --rotate-key" $BIN --password-stdin passwd --rotate-key
cat "$work/out"
extra_line=()
run "unlock + list QUERY after rotation" $BIN --password-stdin list C054321 --json
