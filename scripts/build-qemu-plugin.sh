#!/usr/bin/env bash
# Builds our QEMU TCG plugin (emulator/plugin/adprof.c) into .tools/qemu-plugin/<version>/.
#
# No Debian binary package ships qemu-plugin.h, so the header comes from Debian's source package
# of exactly the installed qemu-system-arm version (a plugin built against another version's
# header may load and then misbehave). Only that one file is extracted and cached; the source
# package itself is deleted. Needs libglib2.0-dev (installed here) and a deb-src entry for the
# suites the binary packages come from (added here as its own file when apt has none).
# Idempotent: with the header cached and the plugin newer than its source it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "build-qemu-plugin: $*" >&2
  exit 1
}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

installed=$(dpkg-query -W -f='${source:Version}' qemu-system-arm 2>/dev/null) ||
  fail "qemu-system-arm is not installed (run scripts/setup.sh)"
folder=.tools/qemu-plugin/${installed//:/_}
header=$folder/qemu/qemu-plugin.h
plugin=$folder/libadprof.so
plugin_sources=emulator/plugin

if [ ! -f "$header" ]; then
  sources=/etc/apt/sources.list.d/autodeploy-deb-src.sources
  if [ ! -f "$sources" ] && ! apt-get source --print-uris "qemu=$installed" >/dev/null 2>&1; then
    echo "build-qemu-plugin: adding deb-src entries ($sources) for the Debian source package" >&2
    # the same archives and suites as the binary entries, as deb-src: deb822 files, and the
    # one-line entries of sources.list rewritten in deb822 form
    {
      for file in /etc/apt/sources.list.d/*.sources; do
        [ "$file" = "$sources" ] || { sed -n '/^Types:/!p; s/^Types:.*/Types: deb-src/p' "$file" && echo; }
      done
      [ ! -f /etc/apt/sources.list ] || awk '$1 == "deb" && $2 !~ /^\[/ {
        printf "\nTypes: deb-src\nURIs: %s\nSuites: %s\nComponents:", $2, $3
        for (i = 4; i <= NF; i++) printf " %s", $i
        print ""
      }' /etc/apt/sources.list
    } | $SUDO tee "$sources" >/dev/null
    $SUDO apt-get update -qq
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "build-qemu-plugin: fetching the qemu $installed source package for include/qemu/qemu-plugin.h" >&2
  (cd "$work" && apt-get source -qq --download-only "qemu=$installed" >/dev/null 2>&1) ||
    fail "Debian has no source package qemu=$installed (the installed qemu-system-arm); the plugin \
header must come from exactly that version: upgrade qemu-system-arm to a version the archive \
still carries (apt-get update; apt-get install --only-upgrade qemu-system-arm) and run this again"
  dsc_version=$(sed -n 's/^Version: //p' "$work"/qemu_*.dsc)
  [ "$dsc_version" = "$installed" ] ||
    fail "downloaded qemu source $dsc_version, but qemu-system-arm is $installed"
  # Debian's patches must leave the header alone, or the upstream copy is not what was built
  tar --no-same-owner -xJf "$work"/qemu_*.debian.tar.xz -C "$work" debian/patches
  if grep -rlq 'qemu-plugin\.h' "$work/debian/patches"; then
    fail "a Debian patch of qemu $installed changes qemu-plugin.h; extract it with the patches applied"
  fi
  mkdir -p "$folder/qemu"
  tar --no-same-owner -xJf "$work"/qemu_*.orig.tar.xz -C "$work" --wildcards --no-anchored 'include/qemu/qemu-plugin.h'
  mv "$(find "$work" -path '*/include/qemu/qemu-plugin.h' | head -n1)" "$header"
fi

if ! command -v pkg-config >/dev/null || ! pkg-config --exists glib-2.0; then
  echo "build-qemu-plugin: installing libglib2.0-dev and pkg-config" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libglib2.0-dev pkg-config >/dev/null
fi
if [ ! -f "$plugin" ] || [ -n "$(find "$plugin_sources" "$0" -newer "$plugin")" ]; then
  # shellcheck disable=SC2046  # pkg-config prints several flags
  gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC -I"$folder" \
    $(pkg-config --cflags glib-2.0) "$plugin_sources"/*.c -o "$plugin.tmp"
  mv "$plugin.tmp" "$plugin"
  echo "build-qemu-plugin: built $plugin" >&2
fi
echo "$plugin"
