#!/usr/bin/env bash
# Installs what building and testing Sallyport needs, and only what is missing:
# Debian packages, tauri-driver, and the UI's node modules. Safe to run again and again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential pkg-config
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xdotool x11-utils xclip imagemagick webkit2gtk-driver
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
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
