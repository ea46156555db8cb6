#!/usr/bin/env bash
# Style checks and the test suite, in the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
ruff check .
ruff format --check .
c_files=$(git ls-files 'firmware/*.c' 'firmware/*.h' 'emulator/*.c' 'emulator/*.h')
if [ -n "$c_files" ]; then
  clang-format --dry-run --Werror $c_files
fi
pytest -q "$@"
