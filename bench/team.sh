#!/usr/bin/env bash
# The team vault's budgets (PRODUCT.md), side by side with a local vault in the same run,
# release build, PostgreSQL on loopback (tests/pg/server.sh): N customers (default
# 100,000) — local import vs `team push`; unlock + first search result, local vs team; the
# team client's peak RSS; credential use p50/p99 with 20 concurrent members; remove --rekey.
# Usage: bench/team.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
[ -n "${BENCH_SKIP_BUILD:-}" ] || {
  cargo build --release -q -p sallyport-cli
  cargo build --release -q -p sallyport-team --example use_latency
}
BIN=target/release/sallyport
work=$(mktemp -d)
# fsync on, as a real server runs (the tests' servers turn it off for speed).
server=$(PG_FSYNC=on tests/pg/server.sh start | tail -n 1)
read -r pgdir port <<<"$server"
trap 'tests/pg/server.sh stop "$pgdir"; rm -rf "$work"' EXIT
python3 bench/gen_customers.py "$N" "$work/customers.csv"
pw='benchmark master password'
kdf=(--kdf-memory-kib 19456 --kdf-iterations 2)
run() { # label, stdin, then command; prints "label: wall s, peak RSS MB"
  sync
  local label=$1 input=$2; shift 2
  printf '%b' "$input" | /usr/bin/time -v "$@" > "$work/out" 2> "$work/time" || { cat "$work/time" "$work/out"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time")
  printf '%-40s wall %8s   peak RSS %7s MB\n' "$label" "$wall" "$rss"
}
local_vault="$work/local.sallyport"
team="$work/admin.team"
printf '%s\n' "$pw" | $BIN --vault "$local_vault" --password-stdin init --staff Bench "${kdf[@]}" > /dev/null
printf '%s\n' "$pw" | PGPASSWORD=owner-test-pw $BIN --vault "$team" --password-stdin team init \
  --db "postgres://owner@127.0.0.1:$port/team" --ca "$pgdir/ca.pem" --staff Bench "${kdf[@]}" > /dev/null
echo "Sallyport $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $N customers, Argon2id floor, PostgreSQL on 127.0.0.1"
run "local: import $N rows" "$pw\n" $BIN --vault "$local_vault" --password-stdin import "$work/customers.csv" --json
run "team: push $N customers from the local vault" "$pw\n$pw\n" $BIN --vault "$team" --password-stdin team push --from "$local_vault" --json
cat "$work/out"; echo
for i in 1 2 3; do
  run "local: unlock + list QUERY (1 hit) #$i" "$pw\n" $BIN --vault "$local_vault" --password-stdin list C054321 --json
  run "team: unlock + list QUERY (1 hit) #$i" "$pw\n" $BIN --vault "$team" --password-stdin list C054321 --json
done
printf '%s\n' "$pw" | target/release/examples/use_latency "postgres://127.0.0.1:$port/team" "$pgdir/ca.pem" "$team" "$work" 20 50
run "team: remove Bench00 --rekey ($N customers)" "$pw\n" $BIN --vault "$team" --password-stdin team remove Bench00 --rekey --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("removed", d["removed"], "-", len(d["rotate"]), "credentials to rotate")' "$work/out"
