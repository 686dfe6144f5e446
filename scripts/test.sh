#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, formatting, UI build, type check and
# component tests, clippy, cargo test, the end-to-end GUI smoke test, and the Windows build
# (clippy on the Windows target, Connect under Wine), and a short pass of every fuzz target.
# Stops at the first failing section.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# CI builds a clean clone once: incremental state would only cost disk and time.
if [[ "${CI:-}" == true ]]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi

suite_start=$SECONDS
section_start=$SECONDS
section_name=""
timings=()

section() {
  finish_section
  section_name="$1"
  section_start=$SECONDS
  printf '\n==== %s ====\n' "$section_name"
}
finish_section() {
  if [[ -n "$section_name" ]]; then
    timings+=("$(printf '%5ss  %s' $((SECONDS - section_start)) "$section_name")")
  fi
}
report() {
  local status=$?
  finish_section
  section_name=""
  printf '\n==== timings ====\n'
  printf '%s\n' "${timings[@]}"
  printf '%5ss  total\n' $((SECONDS - suite_start))
  if [[ $status -ne 0 ]]; then printf '\ntest.sh: FAILED (exit %s)\n' "$status"; fi
  exit $status
}
trap report EXIT

section "dependencies"
scripts/deps.sh
source "$root/scripts/toolchain.sh" # what deps.sh may just have installed

section "cargo fmt --check"
cargo fmt --all -- --check

section "ui: build and svelte-check"
npm --prefix ui run build
npm --prefix ui run check

section "ui: vitest"
npm --prefix ui test

section "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

# One build for the tests and the binaries the GUI test drives: building the bins together
# with the test targets resolves dependency features once (dev-dependencies included), so
# `cargo test` reuses every artifact instead of compiling the GTK/WebKit stack a second time.
# (The app binary therefore has tauri's `test` feature on; it only adds the mock runtime.)
section "cargo build (tests and binaries)"
cargo build --workspace --bins --tests

# The front end's types are generated from the Rust types (src-tauri/src/bindings.rs) and
# checked in: regenerating them must change nothing. Reuses the test build above.
section "bindings: generated TS types are up to date"
bindings_before="$(mktemp -d)"
cp -R ui/src/backend/bindings/. "$bindings_before"
scripts/bindings.sh
if ! diff -ru "$bindings_before" ui/src/backend/bindings; then
  printf '\nui/src/backend/bindings does not match the Rust types: run scripts/bindings.sh and commit the result.\n' >&2
  exit 1
fi
rm -rf "$bindings_before"

section "cargo test"
cargo test --workspace

section "D-Bus: keychain (gnome-keyring) and OS lock signals on a private bus"
tests/dbus/run.sh

# The GUI test drives a release build (what users run), given an identifier of its own so
# that its webview data never mixes with a real install's.
section "cargo build --release (the app the GUI test drives, own identifier)"
TAURI_CONFIG='{"identifier":"com.sallyport.app.e2e"}' cargo build --release -p sallyport-app
# The startup order (src-tauri/build.rs) must still name the build's functions: the names
# carry hashes that change when a dependency does.
python3 - target/release/sallyport-app src-tauri/startup-order.txt <<'PY'
import subprocess, sys
symbols = set(subprocess.run(["nm", "--defined-only", sys.argv[1]], capture_output=True, text=True, check=True).stdout.split())
names = [n for n in open(sys.argv[2]).read().split("\n") if n]
found = sum(n in symbols for n in names)
print(f"startup order: {found} of {len(names)} functions found in the release app")
if found < 0.9 * len(names):
    sys.exit("startup order out of date (under 90 % of it found): run scripts/startup-order.sh")
PY

section "e2e: GUI smoke test (release build)"
E2E_SKIP_BUILD=1 E2E_PROFILE=release E2E_CLI="$root/target/debug/sallyport" \
  E2E_IDENTIFIER=com.sallyport.app.e2e tests/e2e/run.sh

section "package: the .deb built, installed with apt-get, started, removed"
tests/package/run.sh

# The Windows build: Debian's Rust building std for x86_64-pc-windows-gnu, its target dir a
# per-machine cache outside the clone (scripts/windows.sh: 15-20 min the first time, then only
# the workspace crates), checked by clippy for that target and run under Wine.
section "windows: build sallyport.exe (x86_64-pc-windows-gnu, cached target dir)"
scripts/windows.sh build

section "windows: clippy on the Windows target (CLI, app and the crates under them)"
scripts/windows.sh clippy

section "windows: Connect under Wine (stand-in mstsc.exe, Credential Manager)"
scripts/windows.sh test

# Every fuzz target briefly, so none of them can rot: 2,000 inputs a target from the
# checked-in seeds with a fixed random seed (reproducible; at most 30 s a target). The
# nightly build is cached per machine outside the clone (scripts/fuzz.sh).
section "fuzz: smoke pass, 2,000 inputs a target (cargo-fuzz, libFuzzer, AddressSanitizer)"
SALLYPORT_FUZZ_SMOKE=2000 scripts/fuzz.sh 30
