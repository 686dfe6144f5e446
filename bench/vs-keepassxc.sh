#!/usr/bin/env bash
# Side by side with KeePassXC on the same N records (default 100,000): KeePassXC imports
# them as KeePass XML (`keepassxc-cli import`), exports its CSV, and Sallyport imports that
# CSV; then both open their file and search. Wall time and peak RSS from /usr/bin/time -v.
# Needs keepassxc (scripts/deps.sh). Usage: bench/vs-keepassxc.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
cargo build --release -q -p sallyport-cli
BIN=$PWD/target/release/sallyport
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$N" "$work/db.xml" <<'PY'
import base64, sys
n, out = int(sys.argv[1]), sys.argv[2]
def uuid(i): return base64.b64encode(i.to_bytes(16, "big")).decode()
with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><KeePassFile><Meta><Generator>bench</Generator></Meta><Root>')
    f.write('<Group><UUID>%s</UUID><Name>Root</Name>' % uuid(1))
    for g in range(10):
        f.write('<Group><UUID>%s</UUID><Name>Region %d</Name>' % (uuid(2 + g), g))
        for i in range(g, n, 10):
            f.write('<Entry><UUID>%s</UUID>' % uuid(100 + i))
            for k, v in (("Title", "Customer %06d Health" % i if i % 7 == 0 else "Customer %06d" % i),
                         ("UserName", "CUST%06d\\vendor" % i), ("Password", "pw-%06d-secret" % i),
                         ("URL", "cmd://mstsc /v:host%06d.example:3389" % i), ("Notes", "note %d" % i),
                         ("otp", "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=30&digits=6")):
                f.write('<String><Key>%s</Key><Value>%s</Value></String>' % (k, v.replace("&", "&amp;")))
            f.write('</Entry>')
        f.write('</Group>')
    f.write('</Group></Root></KeePassFile>')
PY
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
