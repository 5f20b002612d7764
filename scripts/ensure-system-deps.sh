#!/usr/bin/env bash
# Installs the Debian packages Qt and the tests need, when root and missing;
# otherwise prints the exact apt-get line to run. Never fails the build when
# not root: the user decides.
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v dpkg-query >/dev/null 2>&1 || { echo "ensure-system-deps: not a Debian system; skipping apt packages"; exit 0; }
missing=()
while read -r pkg; do
  [ -z "$pkg" ] && continue
  case "$pkg" in \#*) continue;; esac
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done < "$here/system-deps.txt"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "ensure-system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "ensure-system-deps: these Debian packages are missing. Please run:"
  echo "  sudo apt-get install -y ${missing[*]}"
  exit 1
fi
