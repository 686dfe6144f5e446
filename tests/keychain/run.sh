#!/usr/bin/env bash
# The keychain test against a real Secret Service: a private D-Bus session bus with
# gnome-keyring's secrets component, whose login keyring (in a throwaway data directory)
# is unlocked with a throwaway password. Nothing touches the user's own keyring.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export XDG_DATA_HOME="$data"
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "%s" "throwaway keyring password" |
    gnome-keyring-daemon --unlock --components=secrets > /dev/null
  cargo test -q -p sallyport-app --lib keychain -- --ignored
'
