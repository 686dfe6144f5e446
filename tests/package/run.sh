#!/usr/bin/env bash
# The .deb as a user meets it: built by scripts/package.sh, installed with apt-get, the
# installed sallyport-app started under a private Xvfb (it must show its first screen: a
# screenshot is kept in target/package-screenshots), the installed `sallyport --version`,
# then the package removed and nothing of it left but the user's data. As root (CI) or
# with sudo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=../../scripts/xvfb.sh
source "$root/scripts/xvfb.sh"

fail() {
  echo "package: FAIL $*" >&2
  exit 1
}

deb="$(scripts/package.sh | tail -n 1)"
[[ -f $deb ]] || fail "scripts/package.sh printed no package ($deb)"
echo "package: $deb"
version="$(dpkg-deb -f "$deb" Version)"
name="$(dpkg-deb -f "$deb" Package)"
depends="$(dpkg-deb -f "$deb" Depends)"
[[ $depends == *libwebkit2gtk-4.1* ]] || fail "Depends lacks WebKitGTK 4.1: $depends"

export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get install -y -qq --reinstall "$deb" >/dev/null
mapfile -t files < <(dpkg -L "$name" | while read -r f; do [[ -f $f ]] && echo "$f"; done)
for want in /usr/bin/sallyport-app /usr/bin/sallyport /usr/share/applications/Sallyport.desktop \
  /usr/share/icons/hicolor/16x16/apps/sallyport-app.png \
  /usr/share/icons/hicolor/256x256/apps/sallyport-app.png; do
  printf '%s\n' "${files[@]}" | grep -qx "$want" || fail "the package does not install $want"
done
grep -q '^Categories=Utility;' /usr/share/applications/Sallyport.desktop ||
  fail "the desktop entry is not in the Utility menu"
got="$(/usr/bin/sallyport --version)"
[[ $got == "sallyport $version" ]] || fail "installed sallyport --version says '$got', not $version"
echo "package: installed $name $version; sallyport --version: $got"

# The installed app, as a new user starts it from the menu: a fresh home, no vault.
home="$(mktemp -d)"
display="$(free_x_display)" || fail "no free X display"
shots="$root/target/package-screenshots"
mkdir -p "$shots"
app_pid=""
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null || true
  [[ -n ${xvfb_pid:-} ]] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT
start_xvfb "$display" "$shots/xvfb.log" || fail "Xvfb did not start"
env -i PATH=/usr/bin:/bin HOME="$home" DISPLAY="$display" LANG=C.UTF-8 \
  /usr/bin/sallyport-app >"$shots/app.log" 2>&1 &
app_pid=$!
shown=""
for _ in $(seq 1 100); do
  if DISPLAY="$display" xdotool search --onlyvisible --name '^Sallyport$' >/dev/null 2>&1; then
    shown=yes
    break
  fi
  kill -0 "$app_pid" 2>/dev/null || fail "the installed app exited: $(tail -5 "$shots/app.log")"
  sleep 0.1
done
[[ -n $shown ]] || fail "the installed app showed no window within 10 s"
sleep 3 # the first screen paints
import -display "$display" -window root "$shots/installed-app.png"
# A painted screen has text and fields on it: not one flat colour.
spread="$(convert "$shots/installed-app.png" -colorspace gray -format '%[fx:standard_deviation]' info:)"
python3 -c "import sys; sys.exit(0 if float('$spread') > 0.05 else 1)" ||
  fail "the window looks blank (grey-level spread $spread): see $shots/installed-app.png"
echo "package: the installed app shows its first screen ($shots/installed-app.png)"
kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""
[[ -d $home/.local/state/sallyport ]] || fail "the app kept no data of its own (its log folder)"

"${sudo_cmd[@]}" apt-get remove -y -qq "$name" >/dev/null
if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'install ok installed'; then
  fail "$name is still installed"
fi
for f in "${files[@]}"; do
  [[ ! -e $f ]] || fail "$f is left after removing the package"
done
[[ -d $home/.local/state/sallyport ]] || fail "removing the package removed the user's data"
echo "package: removed; none of its ${#files[@]} files is left, the user's data is"
