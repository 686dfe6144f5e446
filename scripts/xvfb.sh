# A private X display for the scripts that need one (tests/e2e/run.sh, bench/gui.sh,
# bench/bare-webkit.sh): source this file, then
#   display=$(free_x_display) || …      a display nobody uses, :90 to :199 (no lock file, no
#                                         socket, also none in the abstract namespace, which a
#                                         chroot's X server shares with the host)
#   start_xvfb "$display" LOG [ARGS…] || …
# start_xvfb starts Xvfb (1280x800, 24-bit, no TCP, extra ARGS) with its output in LOG, sets
# xvfb_pid for the caller's cleanup, and waits up to 10 s until the display answers; it
# fails only if Xvfb died.

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
