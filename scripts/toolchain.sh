# Sourced by the scripts: puts on PATH the toolchains scripts/deps.sh may have installed —
# rustup's cargo (~/.cargo/bin) and, where Debian's Node is too old, Node 22 from PyPI
# (a venv under the cache folder, its node, npm and npx linked into a folder of their own) —
# and defines node_is_new_enough.
sallyport_node_venv="${XDG_CACHE_HOME:-$HOME/.cache}/sallyport/node-venv"
sallyport_node_bin="${XDG_CACHE_HOME:-$HOME/.cache}/sallyport/node-bin"
case ":$PATH:" in
*":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
*) export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
esac
if [[ -x $sallyport_node_bin/node ]]; then
  case ":$PATH:" in
  *":$sallyport_node_bin:"*) ;;
  *) export PATH="$sallyport_node_bin:$PATH" ;;
  esac
fi

# Whether `node` is 20.19 or later (what the UI's build tools need).
node_is_new_enough() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
