#!/usr/bin/env bash
# Search latency per keystroke at N customers (default 100,000): every prefix of a few
# typed queries, ranked in full, first page of rows taken (what the app's list asks for).
# Usage: bench/search-latency.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_customers.py "$N" "$work/customers.csv"
cargo run --release -q -p sallyport-core --example search_bench "$work/customers.csv"
