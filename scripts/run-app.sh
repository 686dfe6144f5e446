#!/usr/bin/env bash
# Builds the UI and the release app, then starts it. The vault is the default one
# (~/.local/share/sallyport/vault.sallyport) unless SALLYPORT_VAULT names another file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/deps.sh"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them
npm --prefix ui run build
cargo build --release -p sallyport-app

target_dir="${CARGO_TARGET_DIR:-$root/target}"
exec "$target_dir/release/sallyport-app" "$@"
