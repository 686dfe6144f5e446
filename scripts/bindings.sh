#!/usr/bin/env bash
# Regenerates the front end's TypeScript types (ui/src/backend/bindings/) from the Rust types
# that cross IPC: the app's binding test (src-tauri/src/bindings.rs) writes them with ts-rs,
# adding, changing and removing files as needed. Commit the result.
#
# The targets and features are those of `cargo build --workspace --bins --tests` (what
# test.sh builds): narrower ones (`-p sallyport-app`, `--lib`) resolve dependency features
# differently and would compile the GTK/WebKit stack again. After that build this takes
# about a second; every other test binary starts and runs nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "ui/src/backend/bindings: regenerating (builds the tests first if needed)"
if ! SALLYPORT_WRITE_BINDINGS=1 cargo test --quiet --workspace --bins --tests \
  bindings::typescript_bindings_are_up_to_date -- --exact >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
if ! grep -q "^test result: ok. 1 passed" "$log"; then
  cat "$log" >&2
  echo "bindings.sh: the binding test did not run (renamed?)" >&2
  exit 1
fi
echo "ui/src/backend/bindings: regenerated from the Rust types"
