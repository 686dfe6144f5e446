#!/usr/bin/env bash
# The README's two commands on a bare Debian 12: builds a minimal bookworm root with
# debootstrap, copies this checkout's committed files into it (git archive HEAD), and runs
# there, as root in a chroot with /proc, /sys, /dev and /dev/pts mounted:
#   scripts/run-app.sh under Xvfb (it must build and start the app; stopped after 60 s), then
#   scripts/test.sh (the whole suite).
# Slow (the root's packages, every crate from scratch, the suite): run by hand, not in CI.
#
#   scripts/fresh-machine.sh [DIR]     DIR: where the root goes (default: a new temp dir)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$(mktemp -d /var/tmp/sallyport-fresh-XXXXXX)}"
[[ $(id -u) -eq 0 ]] || { echo "fresh-machine: run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

if [[ ! -x $dir/bin/bash ]]; then
  echo "fresh-machine: debootstrap bookworm into $dir"
  debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian
  # The security archive carries Debian's newer rustc-web (and fixes).
  cat >"$dir/etc/apt/sources.list" <<'LIST'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
LIST
fi
for m in proc sys dev dev/pts; do
  mkdir -p "$dir/$m"
  mount --bind "/$m" "$dir/$m"
  mounted+=("$dir/$m")
done
cp /etc/resolv.conf "$dir/etc/resolv.conf"
mkdir -p "$dir/root/sallyport"
# What is committed, as a clone would have it (not edits in progress); a copy that is not a
# git work tree goes in as it is, without its build output.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$root" archive --format=tar HEAD | tar -C "$dir/root/sallyport" -xf -
else
  tar -C "$root" --exclude=./target --exclude=./ui/node_modules --exclude=./fuzz/target -cf - . |
    tar -C "$dir/root/sallyport" -xf -
fi

tls_env=()
in_root() { chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${tls_env[@]}" "$@"; }
# The network's TLS: a host that trusts certificate authorities beyond Debian's (a proxy that
# inspects TLS on the way to crates.io, PyPI and npm) gets the root to trust them too, and
# pip and Node to use the system's list, as the host does. Nothing else of the host goes in.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$dir/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
  in_root bash -c 'apt-get update -qq && apt-get install -y -qq ca-certificates >/dev/null && update-ca-certificates >/dev/null'
  bundle=/etc/ssl/certs/ca-certificates.crt
  tls_env=(SSL_CERT_FILE=$bundle PIP_CERT=$bundle NODE_EXTRA_CA_CERTS=$bundle)
fi
# A bare machine has no X server; the first command starts the app, so it gets one (and this
# script's watch on it needs pgrep, which a minimal root lacks).
in_root bash -c 'apt-get update -qq && apt-get install -y -qq xvfb procps >/dev/null'
echo "fresh-machine: command 1, scripts/run-app.sh (stopped after the app has run 60 s)"
start=$SECONDS
# /proc is the host's: the app is found by its path in the root, not by its name (a
# sallyport-app running on the host is not this one).
in_root bash -c 'cd /root/sallyport && (Xvfb :77 -nolisten tcp & echo $! >/tmp/xvfb.pid) &&
  DISPLAY=:77 timeout 3600 scripts/run-app.sh & app=$!;
  mine=/root/sallyport/target/release/sallyport-app;
  for _ in $(seq 1 3600); do pgrep -f "^$mine" >/dev/null && break; kill -0 $app 2>/dev/null || exit 1; sleep 1; done;
  echo "fresh-machine: the app is up after $SECONDS s";
  sleep 60; pkill -f "^$mine"; kill $(cat /tmp/xvfb.pid); wait $app || true'
echo "fresh-machine: command 1 took $((SECONDS - start)) s (60 s of it the app running)"
echo "fresh-machine: command 2, scripts/test.sh"
start=$SECONDS
in_root bash -c 'cd /root/sallyport && CI=true scripts/test.sh'
echo "fresh-machine: command 2 took $((SECONDS - start)) s; both commands ran on a bare Debian 12"
