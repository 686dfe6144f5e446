#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, formatting, UI build, type check and
# component tests, clippy, cargo test, and the end-to-end GUI smoke test. Stops at the first
# failing section.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

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

section "cargo test"
cargo test --workspace

section "keychain: Secret Service (gnome-keyring on a private D-Bus)"
tests/keychain/run.sh

section "e2e: GUI smoke test"
E2E_SKIP_BUILD=1 E2E_PROFILE=debug tests/e2e/run.sh
