#!/usr/bin/env bash
# Writes src-tauri/startup-order.txt: the app's own functions (ours, the crates', SQLite's)
# in the order a support engineer's session first runs them, for the release link
# (src-tauri/build.rs passes it to the linker as --symbol-ordering-file).
#
# Why: the kernel maps a program's code in 64 KiB windows around each page it runs, so code
# spread over the whole binary stays resident almost whole. Run under Valgrind's callgrind
# on Xvfb, the app starts, xdotool unlocks a vault of N customers (default 10,000) and it
# idles 10 s; the functions it ran so far come first. Then a search is typed, a row chosen,
# a TOTP code and a password copied, the vault locked and unlocked again; the functions new
# to that part come next. Everything else keeps the linker's order after them.
#
# Run it again when dependencies change (their symbols' hashes change with them, and those
# names stop matching): scripts/test.sh's release section prints how many still do.
# Needs valgrind, xdotool, Xvfb (installed with apt if missing). Usage:
#   scripts/startup-order.sh [N]      BUILD_SKIP=1 to profile the existing release build
set -euo pipefail
set +m
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
N=${1:-10000}
for tool in valgrind xdotool Xvfb xdpyinfo dbus-daemon python3; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends valgrind xdotool xvfb x11-utils dbus python3
    break
  fi
done
if [[ -z "${BUILD_SKIP:-}" ]]; then
  npm --prefix ui run build >/dev/null
  cargo build --release -q -p sallyport-app -p sallyport-cli
fi
APP=$root/target/release/sallyport-app
CLI=$root/target/release/sallyport

work=$(mktemp -d "${TMPDIR:-/tmp}/sallyport-order.XXXXXX")
xvfb_pid="" bus_pid="" app_pid=""
cleanup() {
  local status=$?
  set +e
  if [[ -n "$app_pid" ]]; then kill -TERM "$app_pid" 2>/dev/null; fi
  if [[ -n "$bus_pid" ]]; then kill -TERM "$bus_pid" 2>/dev/null; fi
  if [[ -n "$xvfb_pid" ]]; then kill -TERM "$xvfb_pid" 2>/dev/null; fi
  wait 2>/dev/null
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pw='startup order master password'
export SALLYPORT_VAULT="$work/vault.sallyport"
python3 bench/gen_customers.py "$N" "$work/customers.csv"
printf '%s\n' "$pw" | "$CLI" --password-stdin init --staff Profile --kdf-memory-kib 19456 --kdf-iterations 2 >/dev/null
printf '%s\n' "$pw" | "$CLI" --password-stdin import "$work/customers.csv" >/dev/null

# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"
start_private_desktop "$work" -br || { echo "startup-order.sh: no private desktop" >&2; exit 1; }
unset SALLYPORT_KDF

# Mangled names (as the linker sees them); the first dump is taken after the idle pause.
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.%p" "$APP" >"$work/app.log" 2>&1 &
app_pid=$!
wid=""
for _ in $(seq 1 600); do
  wid=$(xdotool search --onlyvisible --name '^Sallyport$' 2>/dev/null | head -1) || true
  [[ -n "$wid" ]] && break
  sleep 0.5
done
[[ -n "$wid" ]] || { echo "startup-order.sh: no window" >&2; tail -n 20 "$work/app.log" >&2; exit 1; }
sleep 20 # painted and focused, at Valgrind's pace
unlock() {
  xdotool mousemove --window "$wid" 200 200 windowfocus --sync "$wid"
  xdotool type --delay 50 "$pw"
  xdotool key Return
}
unlock
sleep 60 # the list shown, then idle
callgrind_control -d "$app_pid" >/dev/null 2>&1
xdotool key ctrl+k
xdotool type --delay 80 "energy 00"
sleep 10
xdotool key Down
sleep 10
xdotool key alt+t
sleep 5
xdotool key alt+p
sleep 5
xdotool key ctrl+l
sleep 10
unlock
sleep 40
kill -TERM "$app_pid"
wait "$app_pid" 2>/dev/null || true
pid=$app_pid app_pid=""

# The dump taken after the idle pause (cg.PID.1), then the one written at exit (cg.PID).
python3 - "$APP" "$root/src-tauri/startup-order.txt" "$work/cg.$pid.1" "$work/cg.$pid" <<'PY'
import re, subprocess, sys
app, out, dumps = sys.argv[1], sys.argv[2], sys.argv[3:]
defined = set()
for line in subprocess.run(["nm", "--defined-only", app], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tT":
        defined.add(parts[2])
names, seen = [], set()
for path in dumps:
    objects, functions, current = {}, {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        kind, key, name = m.groups()
        if kind.endswith("ob"):
            if name:
                objects[key] = name
            if kind == "ob":
                current = objects.get(key)
            continue
        if name:
            functions[key] = name
        if kind == "fn" and current == app:
            fn = re.sub(r"'\d+$", "", functions.get(key, ""))  # callgrind's recursion marks
            if fn in defined and fn not in seen:
                seen.add(fn)
                names.append(fn)
with open(out, "w") as f:
    f.write("\n".join(names) + "\n")
print(f"startup-order.sh: {len(names)} functions of {len(defined)} → {out}")
PY
