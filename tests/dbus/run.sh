#!/usr/bin/env bash
# The app's tests that need D-Bus services, on a private bus that is started and stopped
# here: the keychain test against gnome-keyring's Secret Service (login keyring in a
# throwaway data directory, unlocked with a throwaway password), and the OS-lock test,
# with the same private bus standing in for the system bus that logind signals on.
# Nothing touches the user's own keyring or the real system bus.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/toolchain.sh"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export XDG_DATA_HOME="$data"
dbus-run-session -- bash -c '
  set -euo pipefail
  export DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS"
  printf "%s" "throwaway keyring password" |
    gnome-keyring-daemon --unlock --components=secrets > /dev/null
  # The targets of `cargo build --workspace --bins --tests` (test.sh has just built them):
  # narrower ones would resolve features differently and compile the GTK stack again.
  cargo test -q --workspace --bins --tests -- --ignored keychain:: os_lock::
'
