#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (cargo-fuzz, libFuzzer, AddressSanitizer) for SECONDS each
# (default 60) and fails if any of them found a crash, a failed property, a leak, a timeout
# or ran out of memory. The reproducer stays under fuzz/artifacts/<target>/; replay it with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SALLYPORT_FUZZ_SMOKE=RUNS (scripts/test.sh): a reproducible pass instead, RUNS inputs a
# target from the checked-in seeds only, with a fixed random seed, so that CI fails only
# when the code changed, never because a long run's grown corpus or the machine's speed
# led the fuzzer somewhere new (SECONDS still bounds each target).
#
# Seeds come from fuzz/corpus/<target>/ (checked in, see scripts/fuzz-seeds.sh); what the
# fuzzer finds on top is kept in a working corpus outside the clone, together with the fuzz
# build, under $SALLYPORT_FUZZ_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/sallyport/fuzz),
# so later runs start where earlier ones stopped. Without that cache everything is built
# and grown from scratch. Installs cargo-fuzz (and the nightly toolchain) when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

seconds="${1:-60}"
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
cache="${SALLYPORT_FUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sallyport/fuzz}"
target_dir="$cache/target"
mkdir -p "$cache/corpus" fuzz/artifacts

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# The hooks the targets call (sallyport-core's `fuzzing` feature) never reach a shipped
# crate: no workspace member turns the feature on.
if cargo tree --workspace --edges features --invert sallyport-core 2>/dev/null |
  grep -q 'sallyport-core feature "fuzzing"'; then
  echo "fuzz: a workspace crate turns on sallyport-core's fuzzing feature" >&2
  exit 1
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

echo "fuzz: building ${#targets[@]} targets (target dir $target_dir)"
cargo +nightly fuzz build --target-dir "$target_dir"

failed=()
summary=()
for target in "${targets[@]}"; do
  corpus="$cache/corpus/$target"
  log="$cache/$target.log"
  limits=(-max_total_time="$seconds")
  if [[ -n "${SALLYPORT_FUZZ_SMOKE:-}" ]]; then
    corpus="$cache/smoke/$target"
    log="$cache/smoke/$target.log"
    rm -rf "$corpus"
    limits+=(-runs="$SALLYPORT_FUZZ_SMOKE" -seed=1)
  fi
  mkdir -p "$corpus" "fuzz/corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  status=0
  # New inputs go to the working corpus (first directory); the seeds are only read.
  cargo +nightly fuzz run --target-dir "$target_dir" "$target" "$corpus" "fuzz/corpus/$target" -- \
    "${limits[@]}" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -aoE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)"
  summary+=("$(printf '%-18s %10s runs %7s exec/s  %s' "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}")")
  if ((status != 0)); then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); the end of its log ($log):" >&2
    tail -n 60 "$log" >&2
  fi
done

printf '\n==== fuzz: %s a target ====\n' "${SALLYPORT_FUZZ_SMOKE:+$SALLYPORT_FUZZ_SMOKE inputs (seeds only, fixed seed), at most }${seconds}s"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  printf '\nfuzz: FAILED: %s (reproducers under fuzz/artifacts/)\n' "${failed[*]}" >&2
  exit 1
fi
