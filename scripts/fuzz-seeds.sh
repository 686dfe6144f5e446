#!/usr/bin/env bash
# Regenerates the fuzz targets' seed corpora (fuzz/corpus/<target>/, checked in) from
# tests/fixtures and from what the core writes, plus a CSV export made by the real
# keepassxc-cli when it is installed (scripts/deps.sh installs it). Run it after a fixture
# or a file format changed; scripts/fuzz.sh only reads the seeds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source "$root/scripts/toolchain.sh" # cargo and node where deps.sh put them

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

keepassxc_csv=()
if command -v keepassxc-cli >/dev/null 2>&1; then
  # A KeePass 2 XML database with nested groups, quotes, commas, a line break, unicode and
  # an RFC 6238 TOTP (as the CLI's import test makes), imported and exported as CSV.
  cat >"$work/db.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<KeePassFile><Meta><Generator>sallyport-fuzz-seeds</Generator></Meta><Root>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><Name>Root</Name>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID><Name>Customers</Name>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAw==</UUID><Name>EU, "North"</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAABA==</UUID>
<String><Key>Title</Key><Value>Acme Manufacturing</Value></String>
<String><Key>UserName</Key><Value>ACME\vendor</Value></String>
<String><Key>Password</Key><Value>Canary-Kp-1, "quoted"</Value></String>
<String><Key>URL</Key><Value>cmd://mstsc /v:rds.acme.example:3390</Value></String>
<String><Key>Notes</Key><Value>Gateway on 8443,
ask "Bob" first</Value></String>
<String><Key>otp</Key><Value>otpauth://totp/Acme:vendor?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&amp;period=60&amp;digits=8&amp;algorithm=SHA256</Value></String>
</Entry>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAABQ==</UUID>
<String><Key>Title</Key><Value>Müller &amp; Söhne KG</Value></String>
<String><Key>UserName</Key><Value>admin@mueller.example</Value></String>
<String><Key>Password</Key><Value>Canary-Kp-2</Value></String>
<String><Key>URL</Key><Value>https://portal.mueller.example/admin</Value></String>
</Entry></Group>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAABg==</UUID>
<String><Key>Title</Key><Value>Delta Systems</Value></String>
<String><Key>UserName</Key><Value>DELTA\support</Value></String>
<String><Key>Password</Key><Value>Canary-Kp-3</Value></String>
<String><Key>URL</Key><Value>rdp://full%20address=s:10.20.30.40:3391</Value></String>
</Entry></Group></Group></Root></KeePassFile>
XML
  printf 'seed-db-password\nseed-db-password\n' |
    keepassxc-cli import -q -p "$work/db.xml" "$work/db.kdbx" >/dev/null
  printf 'seed-db-password\n' |
    keepassxc-cli export -q -f csv "$work/db.kdbx" >"$work/keepassxc.csv"
  keepassxc_csv=("$work/keepassxc.csv")
else
  echo "fuzz-seeds: keepassxc-cli not found; the KeePassXC seeds are left out" >&2
fi

rm -rf fuzz/corpus
cargo +nightly run --quiet --manifest-path fuzz/Cargo.toml --example make_seeds -- \
  fuzz/corpus "${keepassxc_csv[@]}"
find fuzz/corpus -type f | sed 's|/[^/]*$||' | sort | uniq -c
