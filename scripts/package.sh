#!/usr/bin/env bash
# Builds the release packages staff install, with Tauri's bundler, and prints their paths:
# on Linux a .deb holding the desktop app (sallyport-app, with its desktop entry and icons
# in every size under the Utility menu) and the command line (/usr/bin/sallyport), whose
# Depends name WebKitGTK 4.1 and GTK 3. The version is the workspace's (Cargo.toml), the
# only place it is written. Windows and macOS packages cannot be built here (see README).
#
#   scripts/package.sh            build (after scripts/deps.sh has run)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them

if [[ ! -x ui/node_modules/.bin/tauri ]]; then
  npm --prefix ui ci --no-audit --no-fund
fi
npm --prefix ui run build >/dev/null
cargo build --release -p sallyport-cli
version="$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "sallyport-app"))')"
out="$root/target/release/bundle/deb"
rm -f "$out"/*.deb
# --ci: no prompts; the bundler builds the app in release itself (cargo build --release).
(cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles deb) >&2
deb="$(ls "$out"/*_"$version"_*.deb)"
echo "$deb"
