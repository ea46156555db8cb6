#!/usr/bin/env bash
# The two Quick-start commands of README.md:
#   ./quickstart.sh run    set everything up and run the main job on the emulated board
#   ./quickstart.sh test   set everything up and run the test suite (what CI runs)
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  run)
    scripts/setup.sh
    exec .venv/bin/scons -Q -j2 analyze-all sources-all kws-report mnv3sm-profile
    ;;
  test)
    scripts/setup.sh
    scripts/check.sh
    ;;
  *)
    echo "usage: ./quickstart.sh run|test" >&2
    exit 2
    ;;
esac
