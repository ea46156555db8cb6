#!/usr/bin/env bash
# Installs everything the tool needs: Debian packages (cross toolchains, emulator) and a .venv with
# the pinned Python dependencies. Idempotent: when everything is present it only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

# libglib2.0-dev, pkg-config and xz-utils build our QEMU plugin (scripts/build-qemu-plugin.sh)
APT_PACKAGES=(python3 python3-venv gcc gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm clang lld clang-format
  chromium fonts-dejavu-core libglib2.0-dev pkg-config xz-utils)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

stamp=.venv/.requirements.sha256
want=$(cat requirements.txt pyproject.toml setup.py | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv with pinned Python dependencies and the autodeploy command"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  # The `autodeploy` command, installed editable: it runs this checkout's engine and files.
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi

# Our QEMU TCG plugin (per-layer instruction classes and memory traffic for the timing model),
# built against the plugin header of exactly the installed QEMU (from Debian's source package).
scripts/build-qemu-plugin.sh >/dev/null  # it reports what it fetches or builds on stderr
