# A private X display for the scripts that need one (tests/e2e/run.sh, bench/gui.sh,
# bench/bare-webkit.sh, scripts/startup-order.sh): source this file, then
#   display=$(free_x_display) || …      a display nobody uses, :90 to :199 (no lock file, no
#                                         socket, also none in the abstract namespace, which a
#                                         chroot's X server shares with the host)
#   start_xvfb "$display" LOG [ARGS…] || …
# start_xvfb starts Xvfb (1280x800, 24-bit, no TCP, extra ARGS) with its output in LOG, sets
# xvfb_pid for the caller's cleanup, and waits up to 10 s until the display answers; it
# fails only if Xvfb died. start_private_desktop (below) adds a session bus and private dirs.

free_x_display() {
  local n
  for n in $(seq 90 199); do
    if [[ ! -e "/tmp/.X$n-lock" && ! -e "/tmp/.X11-unix/X$n" ]] &&
      ! grep -q "@/tmp/.X11-unix/X$n\$" /proc/net/unix 2>/dev/null; then
      echo ":$n"
      return 0
    fi
  done
  return 1
}

start_xvfb() {
  local display=$1 log=$2
  shift 2
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp "$@" >"$log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 1 100); do
    xdpyinfo -display "$display" >/dev/null 2>&1 && return 0
    kill -0 "$xvfb_pid" 2>/dev/null || return 1
    sleep 0.1
  done
}

# start_private_desktop DIR [XVFB_ARGS…]: Xvfb on a free display, a bare session bus with no
# activatable services (no keyring daemon or portal gets started), and private HOME, XDG
# dirs and TMPDIR under DIR, all exported for what the caller starts next. Sets display,
# xvfb_pid and bus_pid for the caller's cleanup; fails if no display is free or Xvfb died.
start_private_desktop() {
  local dir=$1
  shift
  display=$(free_x_display) || { echo "no free X display" >&2; return 1; }
  start_xvfb "$display" "$dir/xvfb.log" "$@" || { echo "Xvfb died" >&2; return 1; }
  mkdir -m 700 "$dir/runtime" "$dir/home" "$dir/tmp"
  cat >"$dir/bus.conf" <<CONF
<busconfig><type>session</type><listen>unix:path=$dir/runtime/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>
CONF
  dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile >"$dir/bus.log" 2>&1 &
  bus_pid=$!
  export DISPLAY="$display" GDK_BACKEND=x11 LIBGL_ALWAYS_SOFTWARE=1 NO_AT_BRIDGE=1
  export HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_DATA_HOME="$dir/home/.local/share"
  export XDG_CACHE_HOME="$dir/home/.cache" XDG_STATE_HOME="$dir/home/.local/state"
  export XDG_RUNTIME_DIR="$dir/runtime" TMPDIR="$dir/tmp" DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/runtime/bus"
  for _ in $(seq 1 50); do [[ -S "$dir/runtime/bus" ]] && break; sleep 0.1; done
}
