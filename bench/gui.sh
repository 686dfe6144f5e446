#!/usr/bin/env bash
# GUI figures for the notes (a benchmark, not a test): Sallyport's release app next to
# KeePassXC in the same run, on the same Xvfb, with N customers / entries (default 10,000),
# RUNS rounds (default 3); prints medians and spread (min–max). Each round starts:
#   sallyport   as a user would (no WebDriver); xdotool types the master password.
#   keepassxc   `keepassxc DB`; xdotool types its password.
#   sallyport (WebDriver)   through tauri-driver + WebKitWebDriver, as tests/e2e does, for the
#               in-page timings.
#   bare WebKitGTK   bench/bare_webkit.c with the app's WebKit settings, showing a static
#               page of the unlock screen's size (a heading and two lines, no script): the
#               engine's own floor under figure 1 (its memory floor: bench/bare-webkit.sh).
# Figures:
#   1. process start → window visible (mapped), and → its first screen (the unlock screen)
#      painted: bench/xpaint.c polls the X server every 2 ms — the window list, then the
#      middle of the window's pixels until text shows there (>= 24 distinct pixel values).
#      Process start: a wrapper notes $EPOCHREALTIME, then execs the binary (same PID).
#   2. unlock → list shown. Sallyport: from just before `xdotool key Return` until list rows
#      are painted left of where the unlock card was (xpaint on that region). Under WebDriver,
#      in-page: a capture-phase submit listener and the `sallyport:list-painted` mark
#      (Customers.svelte: rAF after the first non-empty page, then a task), both
#      performance.now() (1 ms resolution); also the page's first-contentful-paint and when
#      a WebDriver poll first found #master. KeePassXC: from just before Return until its
#      window title loses "[Locked]" (xdotool getwindowname polled). KeePassXC's KDF is its
#      minimum decryption time (-t 100 ms); Sallyport's vault Argon2id 19456 KiB, t=2 (as in
#      the CLI benchmarks); both figures include their KDF.
#   3. PSS of the process and all its descendants (smaps_rollup) after BENCH_IDLE_S (10) s
#      idle on the unlocked list.
# Both apps get a private HOME/XDG dirs/TMPDIR and a private D-Bus session bus with no
# activatable services (so no keyring daemon or portal gets started); everything started
# here is stopped on exit. Needs cc and libX11 headers for xpaint.
# Usage: bench/gui.sh [RUNS] [N]
#   BENCH_SKIP_BUILD=1     use the existing release builds (ui/dist must carry the mark)
#   BENCH_APP=PATH         measure another sallyport-app binary
#   BENCH_APP_ENV="K=V …"  extra environment for Sallyport only (to compare settings)
#   BENCH_ONLY=sallyport|keepassxc|bare   measure one side only
#   BENCH_OUT=FILE         keep the raw JSON lines
#   BENCH_SMAPS_DIR=DIR    keep each measured process's smaps there
set -euo pipefail
set +m
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
RUNS=${1:-3}
N=${2:-10000}
IDLE=${BENCH_IDLE_S:-10}
ONLY=${BENCH_ONLY:-}
for tool in cc Xvfb xdotool xdpyinfo tauri-driver WebKitWebDriver keepassxc keepassxc-cli dbus-daemon node python3; do
  command -v "$tool" >/dev/null || { echo "gui.sh: $tool not found (scripts/deps.sh)" >&2; exit 1; }
done
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  npm --prefix ui run build >/dev/null
  cargo build --release -q -p sallyport-app -p sallyport-cli
fi
APP=${BENCH_APP:-$root/target/release/sallyport-app}
CLI=$root/target/release/sallyport
[[ -x "$APP" && -x "$CLI" ]] || { echo "gui.sh: build first (no $APP or $CLI)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sallyport-gui-bench.XXXXXX")
XPAINT="$work/xpaint"
xvfb_pid="" bus_pid="" driver_pid="" kp_pid="" app_pid="" bare_pid=""
cleanup() {
  local status=$?
  set +e
  for p in "$kp_pid" "$app_pid" "$bare_pid"; do if [[ -n "$p" ]]; then kill -TERM "$p" 2>/dev/null; fi; done
  # tauri-driver has its own process group (setsid): WebKitWebDriver and the app go with it.
  if [[ -n "$driver_pid" ]]; then kill -TERM -- "-$driver_pid" 2>/dev/null; fi
  if [[ -n "$bus_pid" ]]; then kill -TERM "$bus_pid" 2>/dev/null; fi
  if [[ -n "$xvfb_pid" ]]; then kill -TERM "$xvfb_pid" 2>/dev/null; fi
  wait 2>/dev/null
  if [[ $status -ne 0 && -f "$work/driver.log" ]]; then tail -n 20 "$work/driver.log"; fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$XPAINT" bench/xpaint.c -lX11
# shellcheck disable=SC2046 # pkg-config prints separate flags
cc -O2 -o "$work/bare_webkit_bin" bench/bare_webkit.c $(pkg-config --cflags --libs webkit2gtk-4.1)

# --- data: the same N records for both -------------------------------------------------
pw='benchmark master password'
kp_pw='benchmark kdbx password'
export SALLYPORT_VAULT="$work/vault.sallyport"
python3 bench/gen_customers.py "$N" "$work/customers.csv"
printf '%s\n' "$pw" | "$CLI" --password-stdin init --staff Bench --kdf-memory-kib 19456 --kdf-iterations 2 >/dev/null
printf '%s\n' "$pw" | "$CLI" --password-stdin import "$work/customers.csv" >/dev/null
python3 bench/gen_keepass_xml.py "$N" "$work/db.xml"
printf '%s\n%s\n' "$kp_pw" "$kp_pw" | keepassxc-cli import -q -p -t 100 "$work/db.xml" "$work/db.kdbx" >/dev/null 2>&1

# --- a private desktop: Xvfb, a bare session bus, private dirs --------------------------
# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"
start_private_desktop "$work" -br || { echo "gui.sh: no private desktop" >&2; exit 1; }
export QT_QPA_PLATFORM=xcb
unset SALLYPORT_KDF

# The start of each process: a wrapper notes the time ($EPOCHREALTIME, µs) and its PID, then
# execs the binary (same PID). `cur` is the current run's directory.
cur="$work/cur"
wrapper() { # file, binary, environment (K=V …)
  local file=$1 binary=$2 kv; shift 2
  { echo '#!/bin/bash'
    for kv in "$@"; do printf 'export %q\n' "$kv"; done
    printf 'echo $$ >%q/pid; t=$EPOCHREALTIME; echo ${t/./} >%q/start\nexec %q "$@"\n' "$cur" "$cur" "$binary"
  } >"$file"
  chmod +x "$file"
}
# shellcheck disable=SC2086 # BENCH_APP_ENV is a list of K=V words
wrapper "$work/sallyport-app" "$APP" ${BENCH_APP_ENV:-}
wrapper "$work/keepassxc" "$(command -v keepassxc)"
# The app's settings (src-tauri/src/webview.rs).
wrapper "$work/bare_webkit" "$work/bare_webkit_bin" WEBKIT_DISABLE_COMPOSITING_MODE=1 JSC_useJIT=0
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
record() { # app, run, JSON of extra fields → one line of results (adds the times xpaint noted)
  python3 - "$@" "$cur" >>"$results" <<'PY'
import json, sys
app, run, extra, cur = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
num = lambda f: int(open(f"{cur}/{f}").read())
start, visible, painted = num("start"), num("xpaint.visible"), num("xpaint.painted")
pv, pp = map(int, open(f"{cur}/xpaint.polls").read().split())
print(json.dumps(dict(app=app, run=run, window_visible_ms=(visible - start) / 1000,
                      first_screen_painted_ms=(painted - start) / 1000,
                      paint_poll_ms=round((painted - visible) / 1000 / max(pp, 1), 2), **extra)))
PY
}
results="$work/results.jsonl"
# (gui.mjs copies into it; without the directory, every copy would fail and the PSS sum with it)
[[ -z "${BENCH_SMAPS_DIR:-}" ]] || mkdir -p "$BENCH_SMAPS_DIR"

# --- tauri-driver, as tests/e2e/run.sh starts it -------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { local p; for p in $(seq "$1" $(($1 + 200))); do port_free "$p" && [[ "$p" != "${2:-}" ]] && { echo "$p"; return; }; done; return 1; }
port=$(pick_port 4444); native_port=$(pick_port 4645 "$port")
setsid tauri-driver --port "$port" --native-port "$native_port" >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 100); do ! port_free "$port" && break; sleep 0.1; done

webdriver_run() { # run number: Sallyport through tauri-driver (in-page timings)
  rm -rf "$cur"; mkdir "$cur"
  "$XPAINT" Sallyport "$cur/xpaint" 1 &
  local poller=$! line
  line=$(TAURI_DRIVER_URL="http://127.0.0.1:$port" BENCH_APP="$work/sallyport-app" BENCH_RUN="$cur" \
    BENCH_PASSWORD="$pw" BENCH_IDLE_S="$IDLE" node bench/gui.mjs session) || { echo "sallyport run $1 failed: $line" >&2; kill "$poller" 2>/dev/null; exit 1; }
  wait "$poller" || { echo "sallyport: xpaint saw no painted window" >&2; exit 1; }
  record sallyport-webdriver "$1" "$line"
  for _ in $(seq 1 50); do kill -0 "$(cat "$cur/pid")" 2>/dev/null || break; sleep 0.1; done
}

typed_unlock() { # window id, password, regex the title loses → prints µs of Return, µs of change, polls
  local wid=$1 polls=0
  xdotool mousemove --window "$wid" 200 200 windowfocus --sync "$wid"
  xdotool type --delay 10 "$2"
  local before after
  before=$(now_us)
  xdotool key Return
  if [[ -n "$3" ]]; then
    local deadline=$(( before + 60000000 ))
    while [[ "$(xdotool getwindowname "$wid")" =~ $3 ]]; do polls=$((polls + 1)); (( $(now_us) < deadline )) || return 1; done
  fi
  after=$(now_us)
  echo "$before $after $polls"
}

keepassxc_run() { # run number
  rm -rf "$cur"; mkdir "$cur"
  "$XPAINT" KeePassXC "$cur/xpaint" &
  local poller=$!
  "$work/keepassxc" "$work/db.kdbx" >"$work/keepassxc.log" 2>&1 &
  kp_pid=$!
  wait "$poller" || { echo "keepassxc: no window" >&2; cat "$work/keepassxc.log" >&2; exit 1; }
  local wid title
  wid=$(xdotool search --onlyvisible --name 'KeePassXC' | head -1)
  for _ in $(seq 1 100); do title=$(xdotool getwindowname "$wid"); [[ "$title" == *Locked* ]] && break; sleep 0.05; done
  [[ "$title" == *Locked* ]] || { echo "keepassxc: unexpected title '$title'" >&2; exit 1; }
  sleep 1 # let it settle before typing
  local times
  times=$(typed_unlock "$wid" "$kp_pw" 'Locked') || { echo "keepassxc: unlock timed out: $(xdotool getwindowname "$wid")" >&2; exit 1; }
  local shown_title; shown_title=$(xdotool getwindowname "$wid")
  sleep "$IDLE"
  local pss; pss=$(node bench/gui.mjs pss "$kp_pid")
  record keepassxc "$1" "$(python3 -c 'import json,sys; p=json.loads(sys.argv[1]); a,b,n=map(int,sys.argv[2].split())
print(json.dumps(dict(unlock_to_list_ms=(b-a)/1000, title_poll_ms=round((b-a)/1000/max(n,1),2), title_after=sys.argv[3], **p)))' "$pss" "$times" "$shown_title")"
  kill -TERM "$kp_pid"; wait "$kp_pid" 2>/dev/null || true; kp_pid=""
}

sallyport_run() { # run number: Sallyport as a user starts it (no WebDriver); xdotool unlocks
  rm -rf "$cur"; mkdir "$cur"
  "$XPAINT" Sallyport "$cur/xpaint" 1 &
  local poller=$!
  "$work/sallyport-app" >"$work/app.log" 2>&1 &
  app_pid=$!
  wait "$poller" || { echo "sallyport: no window" >&2; cat "$work/app.log" >&2; exit 1; }
  local wid; wid=$(xdotool search --onlyvisible --name '^Sallyport$' | head -1)
  sleep 0.5 # painted; let the field take focus
  # The list's rows appear left of the (centred) unlock card, where that screen is blank: text
  # painted at 3–30 % of the width, 45–70 % of the height is the list (its 5th to 9th rows;
  # not the "No customer matches" line the list shows above them until the first page).
  "$XPAINT" Sallyport "$cur/list" 1 60 3 45 30 70 &
  local list_poller=$! times
  times=$(typed_unlock "$wid" "$pw" '')
  wait "$list_poller" || { echo "sallyport: the list was not painted after unlock" >&2; exit 1; }
  sleep "$IDLE"
  local pss; pss=$(node bench/gui.mjs pss "$app_pid")
  record sallyport "$1" "$(python3 -c 'import json,sys; p=json.loads(sys.argv[1]); a=int(sys.argv[2].split()[0]); b=int(open(sys.argv[3]).read())
print(json.dumps(dict(unlock_to_list_ms=(b-a)/1000, **p)))' "$pss" "$times" "$cur/list.painted")"
  kill -TERM "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
}

bare_run() { # run number: the bare WebKitGTK window, start → visible → painted
  rm -rf "$cur"; mkdir "$cur"
  "$XPAINT" Bare "$cur/xpaint" 1 &
  local poller=$!
  "$work/bare_webkit" '<body style="margin:0;height:100vh;display:grid;place-items:center;font-family:system-ui,sans-serif"><div><h1>Unlock your vault</h1><p>Master password</p><p>Unlock</p></div></body>' >"$work/bare.log" 2>&1 &
  bare_pid=$!
  wait "$poller" || { echo "bare webkit: no painted window" >&2; cat "$work/bare.log" >&2; exit 1; }
  record bare-webkit "$1" '{}'
  kill -TERM "$bare_pid"; wait "$bare_pid" 2>/dev/null || true; bare_pid=""
}

echo "Sallyport $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes') ($APP${BENCH_APP_ENV:+, env $BENCH_APP_ENV})"
echo "  vs $(keepassxc --version 2>/dev/null | head -1), $N records, $RUNS runs each, idle ${IDLE} s, Xvfb $display"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
for r in $(seq 1 "$RUNS"); do
  [[ "$ONLY" == keepassxc || "$ONLY" == bare ]] || sallyport_run "$r"
  [[ "$ONLY" == sallyport || "$ONLY" == bare ]] || keepassxc_run "$r"
  [[ "$ONLY" == keepassxc || "$ONLY" == bare ]] || webdriver_run "$r"
  [[ -n "$ONLY" && "$ONLY" != bare ]] || bare_run "$r"
done
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -z "${BENCH_OUT:-}" ]] || cp "$results" "$BENCH_OUT"

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def fig(app, key, scale=1.0):
    v = [r[key] * scale for r in rows if r["app"] == app and r.get(key) is not None]
    if not v: return "—"
    return f"{statistics.median(v):7.1f}  ({min(v):.1f}–{max(v):.1f})"
apps = [a for a in ("sallyport", "keepassxc", "sallyport-webdriver", "bare-webkit") if any(r["app"] == a for r in rows)]
metrics = [("window visible after start, ms", "window_visible_ms", 1),
           ("unlock screen painted after start, ms", "first_screen_painted_ms", 1),
           ("  page's first-contentful-paint, ms", "unlock_fcp_ms", 1),
           ("  #master first found by WebDriver, ms", "unlock_seen_by_poll_ms", 1),
           ("unlock submitted → list/db shown, ms", "unlock_to_list_ms", 1),
           ("idle process-tree PSS, MB", "pss_kb", 1 / 1024),
           ("  pixel poll period, ms", "paint_poll_ms", 1),
           ("  title poll period, ms", "title_poll_ms", 1)]
print(f"{'median (min–max)':44}" + "".join(f"{a:>26}" for a in apps))
for label, key, scale in metrics:
    print(f"{label:44}" + "".join(f"{fig(a, key, scale):>26}" for a in apps))
for a in apps:
    last = [r for r in rows if r["app"] == a][-1]
    parts = {}
    for p in last.get("processes", []): parts[p["comm"]] = parts.get(p["comm"], 0) + p["pss_kb"]
    print(f"{a} PSS by process (last run): " + ", ".join(f"{k} {v/1024:.1f} MB" for k, v in parts.items()))
s = [r for r in rows if r["app"] == "sallyport-webdriver"]
if s:
    print(f"sallyport-webdriver: rows rendered {s[-1].get('rows_rendered')}, list says '{s[-1].get('list_total')}', "
          f"performance.now() resolution {s[-1].get('now_resolution_ms')} ms, FCP {s[-1].get('fcp_after_origin_ms')} ms after timeOrigin, "
          f"timeOrigin {s[-1].get('origin_after_start_ms'):.1f} ms after process start")
    print(f"sallyport-webdriver: page timeline (ms after timeOrigin, last run): {s[-1].get('page_timeline')}")
k = [r for r in rows if r["app"] == "keepassxc"]
if k: print(f"keepassxc: title after unlock '{k[-1].get('title_after')}'")
PY
