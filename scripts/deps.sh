#!/usr/bin/env bash
# Installs what building and testing Sallyport needs, and only what is missing:
# Debian packages, tauri-driver, and the UI's node modules. Safe to run again and again.
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
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  # Packages such as xrdp would start system services listening on every interface; the
  # tests start their own servers on 127.0.0.1 only, so no service may start here.
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod +x "$policy"
    added_policy=1
  fi
  status=0
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
  if ((added_policy)); then "${sudo_cmd[@]}" rm -f "$policy"; fi
  if ((status != 0)); then exit "$status"; fi
else
  echo "deps: Debian packages present"
fi

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
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
