#!/usr/bin/env bash
# Side by side with KeePassXC on the same N records (default 100,000): KeePassXC imports
# them as KeePass XML (`keepassxc-cli import`), exports its CSV, and Sallyport imports that
# CSV; then both open their file and search. Wall time and peak RSS from /usr/bin/time -v.
# Needs keepassxc (scripts/deps.sh). Usage: bench/vs-keepassxc.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
[ -n "${BENCH_SKIP_BUILD:-}" ] || cargo build --release -q -p sallyport-cli # BENCH_SKIP_BUILD=1: time the binary as built
BIN=$PWD/target/release/sallyport
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_keepass_xml.py "$N" "$work/db.xml"
kp_pw='benchmark kdbx password'
pw='benchmark master password'
run() { # label, stdin text, command...
  sync # the previous run's 100 MB of writeback would otherwise be timed too
  local label=$1 input=$2; shift 2
  printf '%s' "$input" | /usr/bin/time -v "$@" > "$work/out" 2> "$work/time" || { tail -5 "$work/time"; exit 1; }
  printf '%-44s wall %8s   peak RSS %7.1f MB\n' "$label" \
    "$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time")" \
    "$(awk -F': ' '/Maximum resident set size/ {print $2/1024}' "$work/time")"
}
echo "Sallyport $(git rev-parse --short HEAD 2>/dev/null || echo '?') vs $(keepassxc-cli --version | head -1 | sed 's/^/KeePassXC /'), $N records"
run "KeePassXC: keepassxc-cli import (XML)" "$kp_pw
$kp_pw
" keepassxc-cli import -p "$work/db.xml" "$work/db.kdbx"
printf '%s\n' "$kp_pw" | keepassxc-cli export -q -f csv "$work/db.kdbx" > "$work/keepassxc.csv"
export SALLYPORT_VAULT="$work/vault.sallyport"
printf '%s\n' "$pw" | $BIN --password-stdin init --staff Bench --kdf-memory-kib 19456 --kdf-iterations 2 > /dev/null
run "Sallyport: import of KeePassXC's CSV export" "$pw
" $BIN --password-stdin import "$work/keepassxc.csv" --json
cat "$work/out"
run "KeePassXC: keepassxc-cli search (open+search)" "$kp_pw
" keepassxc-cli search -q "$work/db.kdbx" "Customer 054321"
run "Sallyport: unlock + list QUERY" "$pw
" $BIN --password-stdin list "Customer 054321" --json
run "Sallyport: unlock + list QUERY (many hits)" "$pw
" $BIN --password-stdin list "health" --json
echo "hits for 'health': $(grep -o '"code"' "$work/out" | wc -l)"
