#!/usr/bin/env bash
# Creates the tool environment <tools dir>/<name>/ from scripts/tools/<name>.txt on first use
# (heavy tools whose pins conflict with requirements.txt, e.g. TensorFlow for model conversion)
# and prints its Python interpreter. The Quick start never calls this; the build step that needs
# the tools does. Idempotent and safe to run concurrently: when the environment matches the
# requirements file it only prints the path. Tools dir: $AUTODEPLOY_TOOLS_DIR or <project>/.tools.
set -euo pipefail
name=${1:?usage: scripts/tool-env.sh NAME}
root=$(cd "$(dirname "$0")/.." && pwd)
requirements=$root/scripts/tools/$name.txt
[ -f "$requirements" ] || { echo "tool-env: no scripts/tools/$name.txt" >&2; exit 2; }
tools=${AUTODEPLOY_TOOLS_DIR:-$root/.tools}
env_dir=$tools/$name
want=$(sha256sum "$requirements" | cut -d' ' -f1)
mkdir -p "$tools"
exec 9>"$tools/.$name.lock"
flock 9   # one creator at a time; the others wait and then find it ready
if [ "$(cat "$env_dir/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  echo "tool-env: creating $env_dir (first use; pinned in scripts/tools/$name.txt)" >&2
  start=$(date +%s)
  rm -rf "$env_dir"
  python3 -m venv "$env_dir"
  "$env_dir/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    -r "$requirements" >&2
  echo "$want" > "$env_dir/.requirements.sha256"   # written last: a half-made env is redone
  echo "tool-env: $env_dir ready in $(( $(date +%s) - start )) s" >&2
fi
echo "$env_dir/bin/python"
