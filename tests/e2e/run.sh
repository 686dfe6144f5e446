#!/usr/bin/env bash
# End-to-end GUI smoke test: builds the UI and the app, starts Xvfb and tauri-driver on a
# free display and free ports, runs smoke.mjs against a throwaway vault, and always cleans up.
#
#   E2E_PROFILE=debug|release   which app build to drive (default: debug). A debug build
#                               honours SALLYPORT_KDF=floor, so the test's vault uses the
#                               cheapest accepted Argon2id cost; release always uses the default.
#   E2E_SKIP_BUILD=1            reuse existing builds (scripts/test.sh has just built them).
#   E2E_CLI=PATH                the CLI that fills the vault while the app is locked
#                               (default: the CLI of the same profile).
#   E2E_IDENTIFIER=ID           the app identifier the build under test was given (through
#                               TAURI_CONFIG); the run checks that the app kept its data
#                               under that identifier, apart from a real install's.
set -euo pipefail
set +m # background jobs stay in this process group (setsid below relies on it)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them

profile="${E2E_PROFILE:-debug}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
app="$target_dir/$profile/sallyport-app"
cli="${E2E_CLI:-$target_dir/$profile/sallyport}"
shots="$root/target/e2e-screenshots"

if [[ "${E2E_SKIP_BUILD:-0}" != 1 ]]; then
  npm --prefix ui run build
  if [[ "$profile" == release ]]; then
    cargo build --release -p sallyport-app -p sallyport-cli
  else
    cargo build -p sallyport-app -p sallyport-cli
  fi
fi
[[ -x "$app" ]] || { echo "e2e: no app binary at $app" >&2; exit 1; }
[[ -x "$cli" ]] || { echo "e2e: no CLI binary at $cli" >&2; exit 1; }
for tool in Xvfb tauri-driver WebKitWebDriver xdpyinfo import node dbus-daemon dbus-send; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool not found (run scripts/deps.sh)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/sallyport-e2e.XXXXXX")"
xvfb_pid=""
driver_pid=""
bus_pid=""
cleanup() {
  local status=$?
  # tauri-driver runs in its own process group (setsid): WebKitWebDriver and the app go with it.
  if [[ -n "$driver_pid" ]]; then kill -TERM -- "-$driver_pid" 2>/dev/null || true; fi
  if [[ -n "$bus_pid" ]]; then kill -TERM "$bus_pid" 2>/dev/null || true; fi
  if [[ -n "$xvfb_pid" ]]; then kill -TERM "$xvfb_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [[ $status -ne 0 && -f "$work/driver.log" ]]; then
    echo "--- tauri-driver log (last 40 lines) ---"
    tail -n 40 "$work/driver.log"
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"
display=$(free_x_display) || { echo "e2e: no free X display" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if port_free "$p" && [[ "$p" != "${2:-}" ]]; then echo "$p"; return 0; fi
  done
  return 1
}
port="$(pick_port 4444)" || { echo "e2e: no free port" >&2; exit 1; }
native_port="$(pick_port 4645 "$port")" || { echo "e2e: no free port" >&2; exit 1; }

echo "e2e: Xvfb on $display"
start_xvfb "$display" "$work/xvfb.log" || { cat "$work/xvfb.log"; echo "e2e: Xvfb died" >&2; exit 1; }

mkdir -m 700 "$work/runtime"
# A private bus standing in for the system bus: the app listens there for logind's screen
# lock, and the test announces one (dbus-send --system) to see the page follow the lock.
dbus-daemon --session --address="unix:path=$work/runtime/system-bus" --nofork --nopidfile >"$work/bus.log" 2>&1 &
bus_pid=$!
for _ in $(seq 1 50); do [[ -S "$work/runtime/system-bus" ]] && break; sleep 0.1; done
[[ -S "$work/runtime/system-bus" ]] || { cat "$work/bus.log"; echo "e2e: the private bus did not start" >&2; exit 1; }
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/runtime/system-bus"
rm -rf "$shots"
mkdir -p "$shots"

# The app inherits this environment through tauri-driver and WebKitWebDriver.
export DISPLAY="$display"
export XDG_RUNTIME_DIR="$work/runtime"
# FreeRDP keeps the certificates it trusted (/cert:tofu) here, not in the user's own config.
export XDG_CONFIG_HOME="$work/config"
# The webview keeps its own data (per app identifier) here.
export XDG_DATA_HOME="$work/data"
export SALLYPORT_VAULT="$work/vault.sallyport"
export SALLYPORT_KDF=floor
export GDK_BACKEND=x11
export LIBGL_ALWAYS_SOFTWARE=1
export NO_AT_BRIDGE=1

echo "e2e: tauri-driver on 127.0.0.1:$port (WebKitWebDriver on $native_port)"
setsid tauri-driver --port "$port" --native-port "$native_port" >"$work/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 100); do
  ! port_free "$port" && break
  kill -0 "$driver_pid" 2>/dev/null || { echo "e2e: tauri-driver died" >&2; exit 1; }
  sleep 0.1
done

TAURI_DRIVER_URL="http://127.0.0.1:$port" SALLYPORT_APP="$app" SALLYPORT_CLI="$cli" SCREENSHOT_DIR="$shots" \
  node "$root/tests/e2e/smoke.mjs"

if [[ -n "${E2E_IDENTIFIER:-}" ]]; then
  kept=$(ls "$XDG_DATA_HOME" 2>/dev/null | tr '\n' ' ')
  if [[ -d "$XDG_DATA_HOME/$E2E_IDENTIFIER" ]]; then
    echo "  ok   the app kept its data under its test identifier $E2E_IDENTIFIER"
  else
    echo "  FAIL the app kept no data under $E2E_IDENTIFIER (found: ${kept:-nothing})"
    exit 1
  fi
fi
