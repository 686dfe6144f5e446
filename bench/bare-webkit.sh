#!/usr/bin/env bash
# The floor under the app's memory figure: a bare WebKitGTK window (bench/bare_webkit.c, one
# paragraph) under Xvfb, process-tree PSS after 10 s idle, as WebKit comes, without
# accelerated compositing, and without the JavaScript JIT too (the app's settings,
# src-tauri/src/webview.rs). Compare with bench/gui.sh's "idle process-tree PSS".
# Usage: bench/bare-webkit.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in cc pkg-config Xvfb xdpyinfo; do
  command -v "$tool" >/dev/null || { echo "bare-webkit.sh: $tool not found (scripts/deps.sh)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sallyport-bare-webkit.XXXXXX")
xvfb_pid="" app_pid=""
cleanup() {
  set +e
  [[ -z "$app_pid" ]] || kill "$app_pid" 2>/dev/null
  [[ -z "$xvfb_pid" ]] || kill "$xvfb_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck disable=SC2046 # pkg-config prints separate flags
cc -O2 -o "$work/bare_webkit" "$root/bench/bare_webkit.c" $(pkg-config --cflags --libs webkit2gtk-4.1)
# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"
display=$(free_x_display) || { echo "bare-webkit.sh: no free X display" >&2; exit 1; }
start_xvfb "$display" "$work/xvfb.log" || { echo "bare-webkit.sh: Xvfb died" >&2; exit 1; }
mkdir -m 700 "$work/home"
export DISPLAY="$display" GDK_BACKEND=x11 LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CACHE_HOME="$work/home/cache" XDG_RUNTIME_DIR="$work/home"
for settings in "" "WEBKIT_DISABLE_COMPOSITING_MODE=1" "WEBKIT_DISABLE_COMPOSITING_MODE=1 JSC_useJIT=0"; do
  # shellcheck disable=SC2086 # settings is a list of K=V words
  env $settings "$work/bare_webkit" >"$work/log" 2>&1 &
  app_pid=$!
  sleep 10
  total=0 parts=""
  for p in "$app_pid" $(pgrep -P "$app_pid"); do
    kb=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup")
    total=$((total + kb)); parts="$parts $(cat "/proc/$p/comm") $((kb / 1024)) MB,"
  done
  parts=${parts# }
  printf '%-50s %4d MB  (%s)\n' "${settings:-as WebKit comes}" $((total / 1024)) "${parts%,}"
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
done
