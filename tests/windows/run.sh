#!/usr/bin/env bash
# Connect on Windows, end to end, under Wine: the real sallyport.exe (x86_64-pc-windows-gnu,
# what users run) in a fresh Wine prefix of its own, with a stand-in mstsc.exe in System32
# (tests/windows/mstsc.c) that logs its arguments, the .rdp file it was given and what it
# can read from Credential Manager (user names, password lengths, and whether the password
# is the expected one; never a password), and credcheck.exe (tests/windows/credcheck.c) to
# plant and inspect credentials from outside. Paths checked:
#
#   1. connect with a gateway: the client gets the right file (UTF-16LE, BOM, CRLF, address,
#      gateway, user) and both credentials; afterwards neither credential nor the file is left
#   2. the real client stays running past the 5 s clean-up: it reads the credentials at
#      start, and they and the file are gone while it still runs
#   3. a credential the user had saved under TERMSRV/<host> is left alone (Windows lets no
#      application read its password back, so it could not be restored): the client uses
#      it, the user is told, and only Sallyport's gateway credential comes and goes
#   4. the second credential cannot be written: nothing is started, nothing left, and the
#      audit log records a failed launch
#   5. the client cannot be started (mstsc.exe missing): the same
#
# Run by `scripts/windows.sh test` (which builds what it needs first); prints
# "N passed, N failed" and exits non-zero on any failure. SALLYPORT_WINDOWS_KEEP=1 keeps the
# prefix (its path is printed) for a look afterwards.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exe="$("$root/scripts/windows.sh" build | tail -n 1)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sallyport-wine.XXXXXX")"
prefix="$work/prefix"
"$root/scripts/windows.sh" prefix "$prefix" >/dev/null

export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
# Session credentials (CRED_PERSIST_SESSION, what Sallyport writes) live in the wineserver's
# memory: one persistent server for the whole run, this prefix's only, stopped at the end.
wineserver -k 2>/dev/null || true
wineserver -w
wineserver -p

finish() {
  local status=$?
  wineserver -k 2>/dev/null || true
  wineserver -w 2>/dev/null || true
  if [[ ${SALLYPORT_WINDOWS_KEEP:-} == 1 ]]; then
    echo "windows test: kept $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap finish EXIT

cd "$work" # wine looks for programs in the current directory first
drive_c="$prefix/drive_c"
mkdir -p "$drive_c/t"
vault='C:\t\vault.sallyport'
master='correct horse battery staple'
credcheck='C:\windows\system32\credcheck.exe'
sys32="$drive_c/windows/system32"

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  echo "  ok: $1"
}
not_ok() {
  failed=$((failed + 1))
  echo "  FAILED: $1"
  if [[ -n ${2:-} ]]; then printf '%s\n' "$2" | sed 's/^/    | /'; fi
}
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# has_line FILE LINE: FILE has exactly this line.
has_line() { grep -Fxq -- "$2" "$1"; }
not_grep() { ! grep -q "$@"; }
# lacks FILE TEXT: TEXT appears nowhere in FILE.
lacks() { ! grep -Fq -- "$2" "$1"; }

# sallyport ARGS...: the exe with the master password on stdin; output in $work/out, $work/err.
sallyport() {
  local status=0
  printf '%s\n' "$master" | wine "$exe" --vault "$vault" --password-stdin "$@" \
    >"$work/out" 2>"$work/err" || status=$?
  tr -d '\r' <"$work/out" >"$work/out.txt"
  tr -d '\r' <"$work/err" >"$work/err.txt"
  return "$status"
}

# connect_to CODE LOG PASSWORD [LINGER_MS]: connect with the stand-in logging to C:\t\LOG.
connect_to() {
  local status=0
  SALLYPORT_MSTSC_LOG="C:\\t\\$2" SALLYPORT_MSTSC_EXPECT_PASSWORD="$3" \
    SALLYPORT_MSTSC_LINGER_MS="${4:-0}" sallyport connect "$1" || status=$?
  if [[ -f "$drive_c/t/$2" ]]; then tr -d '\r' <"$drive_c/t/$2" >"$work/$2.txt"; fi
  return "$status"
}

# The credentials in Credential Manager now, a line each ($work/creds).
list_credentials() {
  wine "$credcheck" --list | tr -d '\r' >"$work/creds"
}

# plant TARGET USER PASSWORD: a credential the user saved (persistent, like mstsc's).
plant() {
  printf '%s\n' "$3" | wine "$credcheck" --write "$1" "$2" local >/dev/null
}

# users_credential_unchanged TARGET PASSWORD: TARGET holds the planted credential, as it was.
users_credential_unchanged() {
  local line
  line="$(CREDCHECK_EXPECT_PASSWORD="$2" wine "$credcheck" --read "$1" | tr -d '\r')"
  [[ $line == "user=ME\\myself persist=2 comment=saved by the user password-chars=${#2} password-matches=yes" ]] || {
    echo "    | $1: $line"
    return 1
  }
}

no_rdp_files() {
  local left
  left="$(find "$drive_c" -name '*.rdp' -print)"
  [[ -z $left ]] || {
    echo "    | left: $left"
    return 1
  }
}

# last_launch CODE: "outcome detail" of the newest launch event for CODE.
last_launch() {
  sallyport audit list --customer "$1" --action launch --json
  python3 -c '
import json, sys
events = json.load(open(sys.argv[1]))
launches = [e for e in events if e["action"] == "launch"]
print(launches[-1]["outcome"] if launches else "none")
' "$work/out.txt"
}

# A gateway name Wine's Credential Manager cannot store (its registry key names stop at
# 255 characters; Windows takes 337), while TERMSRV/<host> can be: the second CredWriteW
# fails. A valid DNS name: four labels of 60 and ".example", 251 characters.
long_gateway="$(printf 'g%.0s' {1..60}).$(printf 'h%.0s' {1..60}).$(printf 'i%.0s' {1..60}).$(printf 'j%.0s' {1..60}).example"

cat >"$drive_c/t/customers.csv" <<EOF
customer,code,entry,kind,host,port,gateway,gateway_port,gateway_usage,username,domain,password
Acme,ACME,Terminal server,rdp,rds.acme.example,3390,gw.acme.example,,always,vendor,ACME,Canary-Pass-1
Plain,PLAIN,Server,rdp,plain.example,,,,,admin,,Canary-Pass-2
Long,LONG,Server,rdp,long.example,,$long_gateway,,always,vendor,,Canary-Pass-3
EOF

echo "== Wine's Credential Manager (write, read, delete)"
check "credcheck round trip" wine "$credcheck"

echo "== init and import"
check "init" sallyport init --staff "Wine Test" --kdf-memory-kib 19456 --kdf-iterations 2
check "import" sallyport import 'C:\t\customers.csv' --json
check "3 customers created" grep -q '"created":3' "$work/out.txt"

echo "== 1. connect with a gateway"
if connect_to ACME mstsc-1.log Canary-Pass-1; then ok "connect ACME exits 0"; else
  not_ok "connect ACME exits 0" "$(cat "$work/err.txt")"
fi
log="$work/mstsc-1.log.txt"
if [[ -f $log ]]; then
  ok "the stand-in mstsc.exe ran"
  check "started as C:\\windows\\System32\\mstsc.exe FILE" \
    grep -Eq '^arg\[0\]=C:\\windows\\System32\\mstsc\.exe$' "$log"
  check "one argument: a private .rdp file" \
    grep -Eqi '^arg\[1\]=C:\\users\\[^\\]+\\AppData\\Local\\sallyport\\cache\\rdp\\[^\\]+\.rdp$' "$log"
  check "no second argument" lacks "$log" "arg[2]="
  check ".rdp: UTF-16LE with BOM" has_line "$log" "rdp-bom=yes"
  check ".rdp: CRLF line ends" has_line "$log" "rdp-crlf=yes"
  check ".rdp: full address" has_line "$log" "rdp=full address:s:rds.acme.example:3390"
  check ".rdp: gateway" has_line "$log" "rdp=gatewayhostname:s:gw.acme.example"
  check ".rdp: gateway always" has_line "$log" "rdp=gatewayusagemethod:i:1"
  check ".rdp: user" has_line "$log" "rdp=username:s:vendor"
  check ".rdp: domain" has_line "$log" "rdp=domain:s:ACME"
  check ".rdp: no password key" not_grep -Ei '^rdp=[^:]*password' "$log"
  check ".rdp (and the log): not the password" lacks "$log" "Canary"
  check "credential TERMSRV/rds.acme.example read at start, right user and password" \
    has_line "$log" "cred TERMSRV/rds.acme.example: found user=ACME\\vendor password-chars=13 password-matches=yes"
  check "credential gw.acme.example read at start, right user and password" \
    has_line "$log" "cred gw.acme.example: found user=ACME\\vendor password-chars=13 password-matches=yes"
else
  not_ok "the stand-in mstsc.exe ran" "$(cat "$work/err.txt")"
fi
list_credentials
check "afterwards: no credential left" has_line "$work/creds" "(none)"
check "afterwards: no .rdp file left" no_rdp_files
check "the password is in no output" lacks "$work/out.txt" "Canary"
check "the password is in no error output" lacks "$work/err.txt" "Canary"
check "audit: the launch recorded as ok" [ "$(last_launch ACME)" = ok ]

echo "== 2. a client that stays running past the clean-up"
connect_to PLAIN mstsc-2.log Canary-Pass-2 7000 || not_ok "connect PLAIN exits 0" "$(cat "$work/err.txt")"
# The command returns after its 5 s grace; the client logs again after 7 s.
for _ in $(seq 1 100); do
  if grep -q '^end' "$drive_c/t/mstsc-2.log" 2>/dev/null; then break; fi
  sleep 0.2
done
tr -d '\r' <"$drive_c/t/mstsc-2.log" >"$work/mstsc-2.log.txt" 2>/dev/null || true
log="$work/mstsc-2.log.txt"
check "no gateway: the client reads TERMSRV/plain.example at start" \
  has_line "$log" "cred TERMSRV/plain.example: found user=admin password-chars=13 password-matches=yes"
check "no gateway credential looked for" lacks "$log" "rdp=gatewayhostname"
check "while it still runs: the .rdp file is gone" has_line "$log" "rdp-exists=no"
check "while it still runs: the credential is gone" \
  has_line "$log" "cred TERMSRV/plain.example: missing error=1168"

echo "== 3. the user's own TERMSRV credential"
plant TERMSRV/rds.acme.example 'ME\myself' User-Own-1
connect_to ACME mstsc-3.log User-Own-1 || not_ok "connect ACME exits 0" "$(cat "$work/err.txt")"
log="$work/mstsc-3.log.txt"
check "the client reads the user's own credential for the host" \
  has_line "$log" "cred TERMSRV/rds.acme.example: found user=ME\\myself password-chars=10 password-matches=yes"
check "and Sallyport's for the gateway" \
  has_line "$log" "cred gw.acme.example: found user=ACME\\vendor password-chars=13 password-matches=no"
check "the user is told" \
  grep -Fq "Note: Windows has a credential you saved for TERMSRV/rds.acme.example (user ME\\myself)" "$work/out.txt"
check "afterwards: the user's credential is unchanged" \
  users_credential_unchanged TERMSRV/rds.acme.example User-Own-1
list_credentials
check "afterwards: no gateway credential left" lacks "$work/creds" "gw.acme.example"
check "afterwards: nothing of Sallyport's left" lacks "$work/creds" "Sallyport"

echo "== 4. the second credential cannot be written"
if connect_to LONG mstsc-4.log Canary-Pass-3; then
  not_ok "connect LONG fails"
else
  ok "connect LONG fails"
fi
check "the error says why" grep -q "cannot hand the password to .*CredWriteW" "$work/err.txt"
check "the error has no password" lacks "$work/err.txt" "Canary"
check "the client was not started" test ! -e "$drive_c/t/mstsc-4.log"
list_credentials
check "the first credential (TERMSRV/long.example) is gone" lacks "$work/creds" "TERMSRV/long.example"
check "nothing of Sallyport's left" lacks "$work/creds" "Sallyport"
check "no .rdp file left" no_rdp_files
check "audit: a failed launch" [ "$(last_launch LONG)" = failed ]

echo "== 5. the client cannot be started"
mv "$sys32/mstsc.exe" "$work/mstsc.exe.aside"
if connect_to PLAIN mstsc-5.log Canary-Pass-2; then
  not_ok "connect PLAIN fails without mstsc.exe"
else
  ok "connect PLAIN fails without mstsc.exe"
fi
mv "$work/mstsc.exe.aside" "$sys32/mstsc.exe"
check "the error says why" grep -q "cannot start C:\\\\windows\\\\System32\\\\mstsc.exe" "$work/err.txt"
list_credentials
check "its credential (TERMSRV/plain.example) is gone" lacks "$work/creds" "TERMSRV/plain.example"
check "nothing of Sallyport's left" lacks "$work/creds" "Sallyport"
check "no .rdp file left" no_rdp_files
check "audit: a failed launch" [ "$(last_launch PLAIN)" = failed ]

echo "== at the end"
only_the_users_one() {
  [[ $(cat "$work/creds") == "2 TERMSRV/rds.acme.example user=ME\myself persist=2 comment=saved by the user" ]]
}
check "Credential Manager holds the user's one credential, nothing else" only_the_users_one
check "which is unchanged" users_credential_unchanged TERMSRV/rds.acme.example User-Own-1
check "the audit log verifies" sallyport audit verify

echo
echo "windows: $passed passed, $failed failed"
((failed == 0))
