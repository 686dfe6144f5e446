#!/usr/bin/env bash
# The Windows build of Sallyport, made, checked and run on this Debian machine:
#
#   scripts/windows.sh deps          installs what the rest needs (Debian packages), only what is missing
#   scripts/windows.sh build         builds sallyport.exe (the CLI) for x86_64-pc-windows-gnu; its path
#                                    is the last line of stdout
#   scripts/windows.sh clippy        clippy -D warnings on the Windows target: the CLI and the desktop
#                                    app with every crate under them (launch, service, clipboard, core)
#   scripts/windows.sh helpers       builds the test prefix's programs from tests/windows/ (the
#                                    bcryptprimitives.dll stand-in, the stand-in mstsc.exe, credcheck.exe);
#                                    their folder is the last line of stdout
#   scripts/windows.sh prefix DIR    prepares a Wine prefix in DIR that runs the built exe (again: no-op)
#   scripts/windows.sh test          builds, then runs the Windows tests under Wine (tests/windows/run.sh)
#
# The toolchain is Debian's rustc-web/cargo-web 1.96 with its rust-web-src (and rust-web-clippy),
# building std for the target itself (-Zbuild-std, so RUSTC_BOOTSTRAP=1): rustup's toolchain has no
# Windows target and none can be downloaded here. rustup's tools come first on PATH, so Debian's
# are named by full path (and /usr/bin goes first for clippy, which cargo finds on PATH). Linker
# and C compiler (mimalloc, bundled SQLite): MinGW-w64's x86_64-w64-mingw32-gcc.
#
# The target dir is a per-machine cache outside the clone,
# ${XDG_CACHE_HOME:-~/.cache}/sallyport/target-windows (SALLYPORT_WINDOWS_TARGET_DIR overrides):
# building std and every dependency from source takes 15-20 minutes on a 2-core machine, after
# which a run rebuilds only the workspace crates. Without the cache everything is built; delete
# it at any time.
#
# bcryptprimitives.dll: Rust's std (and getrandom 0.3) import ProcessPrng from it; Windows 10 and
# 11 have it, Debian's Wine 8.0 does not. The exe is built for the normal target, exactly what
# users run, and only the test prefix gets a stand-in DLL (tests/windows/bcryptprimitives.c:
# ProcessPrng over RtlGenRandom). The alternative, the tier-3 x86_64-win7-windows-gnu target,
# would test a different binary from the one shipped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=x86_64-pc-windows-gnu
mingw=x86_64-w64-mingw32
cargo=/usr/bin/cargo
rustc=/usr/bin/rustc
win_target_dir="${SALLYPORT_WINDOWS_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sallyport/target-windows}"
profile="${SALLYPORT_WINDOWS_PROFILE:-debug}" # debug or release
helpers_dir="$win_target_dir/helpers"

log() { echo "windows.sh: $*" >&2; }

packages=(
  rustc-web cargo-web rust-web-src # Rust 1.96 with the standard library's source
  rust-web-clippy                  # its clippy (rustup's cannot check against this std)
  gcc-mingw-w64-x86-64             # linker and C compiler for the target
  wine wine64                      # runs the result (64-bit only: no wine32 needed)
)

deps() {
  local missing=() pkg
  for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages present"
    return 0
  fi
  log "installing ${missing[*]}"
  local sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >&2
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# cargo_windows SUBCOMMAND [ARGS...] [-- TOOL ARGS...]: Debian's cargo on the Windows target,
# building std from source.
cargo_windows() {
  local subcommand="$1"
  shift
  (
    cd "$root"
    # Only this toolchain: nothing from the caller's rustup or native cross settings.
    unset RUSTUP_TOOLCHAIN RUSTFLAGS CARGO_BUILD_TARGET CARGO_ENCODED_RUSTFLAGS RUSTC_WRAPPER
    export PATH="/usr/bin:$PATH" # Debian's cargo-clippy and clippy-driver before rustup's
    export RUSTC_BOOTSTRAP=1 RUSTC="$rustc" RUSTDOC=/usr/bin/rustdoc
    export CARGO_TARGET_DIR="$win_target_dir"
    # The workspace's release profile aborts on a panic (for the Linux app's size); a
    # -Zbuild-std build with panic=abort is untested here, so this one keeps unwinding.
    export CARGO_PROFILE_RELEASE_PANIC=unwind
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="$mingw-gcc"
    export CC_x86_64_pc_windows_gnu="$mingw-gcc" AR_x86_64_pc_windows_gnu="$mingw-ar"
    export RC_x86_64_pc_windows_gnu="$mingw-windres" # the app's resources (tauri-build)
    "$cargo" "$subcommand" --target "$target" -Zbuild-std "$@" >&2
  )
}

build() {
  deps
  local args=(build -p sallyport-cli --bin sallyport)
  if [[ $profile == release ]]; then args+=(--release); fi
  log "cargo ${args[*]} --target $target -Zbuild-std (target dir $win_target_dir)"
  cargo_windows "${args[@]}"
  local exe="$win_target_dir/$target/$profile/sallyport.exe"
  [[ -f $exe ]] || {
    log "no $exe after the build"
    exit 1
  }
  echo "$exe"
}

clippy() {
  deps
  log "cargo clippy for $target (target dir $win_target_dir)"
  cargo_windows clippy -p sallyport-cli -p sallyport-app -- -D warnings
}

# One C source → one exe or DLL, rebuilt only when the source (or this script) is newer.
# compile OUT SRC [more sources and flags…]
compile() {
  local out="$1" src="$2"
  shift 2
  if [[ -f $out && $out -nt $src && $out -nt "${BASH_SOURCE[0]}" ]]; then return 0; fi
  log "compiling $(basename "$out")"
  "$mingw-gcc" -O2 -Wall -Wextra -Werror -s -o "$out" "$src" "$@"
}

helpers() {
  deps
  mkdir -p "$helpers_dir"
  local src="$root/tests/windows"
  compile "$helpers_dir/bcryptprimitives.dll" "$src/bcryptprimitives.c" \
    "$src/bcryptprimitives.def" -shared -ladvapi32
  compile "$helpers_dir/mstsc.exe" "$src/mstsc.c" -municode -ladvapi32
  compile "$helpers_dir/credcheck.exe" "$src/credcheck.c" -municode -ladvapi32
  echo "$helpers_dir"
}

# The environment every Wine call here runs in: the prefix, no debug chatter, no display (the
# CLI and the stand-ins have no window), and no Mono or Gecko install prompts.
wine_env() {
  export WINEPREFIX="$1" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  unset DISPLAY WAYLAND_DISPLAY
}

prefix() {
  local dir="${1:?usage: scripts/windows.sh prefix DIR}"
  helpers >/dev/null
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  (
    wine_env "$dir"
    if [[ ! -f $dir/system.reg || ! -d $dir/drive_c/windows/system32 ]]; then
      log "wineboot --init in $dir"
      wineboot --init >&2
      # wineboot returns before the registry is written out; the server's exit is the sign.
      wineserver --wait
    fi
    local sys32="$dir/drive_c/windows/system32" f
    for f in bcryptprimitives.dll mstsc.exe credcheck.exe; do
      if ! cmp -s "$helpers_dir/$f" "$sys32/$f"; then
        log "installing $f into system32"
        cp "$helpers_dir/$f" "$sys32/$f"
      fi
    done
  )
  echo "$dir"
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  clippy) clippy ;;
  helpers) helpers ;;
  prefix) prefix "${2:-}" ;;
  test) exec "$root/tests/windows/run.sh" ;;
  *)
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
