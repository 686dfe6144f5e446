#!/usr/bin/env bash
# Benchmark for "click Connect → client process spawned ≤ 50 ms" (PRODUCT.md): 20 runs each
# of `connect --dry-run` and of a real Linux `connect` that starts xfreerdp against an xrdp
# server on 127.0.0.1 (under a private Xvfb). The CLI reports the time from unlock to the
# plan / to the spawn (SALLYPORT_TIMINGS=1); the script prints medians, and the median wall
# time of the whole dry-run command next to an unlock-only command for comparison.
# Needs xrdp, xfreerdp and Xvfb (scripts/deps.sh). Usage: bench/connect.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build --release -q -p sallyport-cli
BIN=$PWD/target/release/sallyport
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f "xfreerdp $work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s#^port=3389#port=tcp://127.0.0.1:$port#" -e "s#^LogFile=.*#LogFile=$work/xrdp.log#" \
    -e 's#^EnableSyslog=.*#EnableSyslog=false#' /etc/xrdp/xrdp.ini > "$work/xrdp.ini"
xrdp -n -c "$work/xrdp.ini" >/dev/null 2>&1 & pids+=($!)
Xvfb :97 -nolisten tcp >/dev/null 2>&1 & pids+=($!)
sleep 1
export SALLYPORT_VAULT="$work/vault.sallyport" XDG_RUNTIME_DIR="$work/run" HOME="$work/home" DISPLAY=:97
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"; chmod 700 "$XDG_RUNTIME_DIR"
pw='benchmark master password'
printf '%s\n' "$pw" | $BIN --password-stdin init --staff Bench --kdf-memory-kib 19456 --kdf-iterations 2 >/dev/null
printf 'customer,code,entry,host,port,username,password\nBench Lab,LAB,RDP,127.0.0.1,%s,vendor,bench-pass\n' "$port" > "$work/lab.csv"
printf '%s\n' "$pw" | $BIN --password-stdin import "$work/lab.csv" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
wall_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )) | awk '{printf "%.2f\n", $1/1000}'; }

dry=() real=() wall_dry=() wall_unlock=()
for _ in $(seq "$RUNS"); do
  dry+=("$(printf '%s\n' "$pw" | SALLYPORT_TIMINGS=1 $BIN --password-stdin connect LAB --dry-run 2>&1 >/dev/null | awk '/planned/ {print $(NF-1)}')")
  wall_dry+=("$(wall_ms sh -c "printf '%s\n' '$pw' | $BIN --password-stdin connect LAB --dry-run")")
  wall_unlock+=("$(wall_ms sh -c "printf '%s\n' '$pw' | $BIN --password-stdin list nothing-matches")")
done
for _ in $(seq "$RUNS"); do
  real+=("$(printf '%s\n' "$pw" | SALLYPORT_TIMINGS=1 $BIN --password-stdin connect LAB 2>&1 >/dev/null | awk '/spawned/ {print $(NF-1)}')")
  pkill -f "xfreerdp $work" || true
done
echo "Sallyport $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $RUNS runs each, Argon2id floor"
echo "connect --dry-run, unlock -> plan printed:      median $(printf '%s\n' "${dry[@]}" | median) ms"
echo "connect (xfreerdp), unlock -> client spawned:   median $(printf '%s\n' "${real[@]}" | median) ms"
echo "whole command: connect --dry-run               median $(printf '%s\n' "${wall_dry[@]}" | median) ms"
echo "whole command: unlock + list (no match)        median $(printf '%s\n' "${wall_unlock[@]}" | median) ms"
echo "xrdp connections seen: $(grep -c 'connection received' "$work/xrdp.log" || true)"
