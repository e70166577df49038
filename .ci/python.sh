#!/usr/bin/env bash
# GradScope CI, Python part: the gradscope package (python/), its examples (Examples/python/)
# and the gradscope_exec adapter's self-test, under pytest in two virtual environments:
#
#   1. /usr/bin/python3 with system site packages, so Debian's python3-torch is visible;
#   2. a plain venv where `pip install jax` (CPU) goes — it pulls a numpy newer than the one
#      Debian's torch was built for, hence the separate environment.
#
# Uses the release binary at $GRADSCOPE (default: .build/release/gradscope of this checkout).
# Installation failures are notes (the tests that need what is missing skip with the reason);
# test failures fail the run; pytest's "no tests collected" (exit 5) does not.
# Prints one closing line: "python tests: …".
set -uo pipefail
cd "$(dirname "$0")/.."
export GRADSCOPE="${GRADSCOPE:-$PWD/.build/release/gradscope}"
PYTHON=${PYTHON:-/usr/bin/python3}
VENVS=${GRADSCOPE_CI_VENVS:-/tmp/gradscope-ci-venvs}
summary=()
failed=0

# run_suite NAME VENV_DIR VENV_FLAGS EXTRA_PACKAGES...
run_suite() {
  local name=$1 dir=$2 flags=$3; shift 3
  echo "== python ($name): creating $dir"
  rm -rf "$dir"
  # shellcheck disable=SC2086
  if ! "$PYTHON" -m venv $flags "$dir"; then
    echo "note: could not create the $name venv; its Python tests are skipped"
    summary+=("$name: not run (no venv)"); return 0
  fi
  local pip=("$dir/bin/python" -m pip install -q --disable-pip-version-check)
  if [ $# -gt 0 ]; then
    "${pip[@]}" "$@" || echo "note: could not install $* in the $name venv; the tests that need it skip"
  fi
  "${pip[@]}" pytest || echo "note: could not install pytest in the $name venv"
  "${pip[@]}" ./python || echo "note: could not install ./python in the $name venv"
  if ! "$dir/bin/python" -c "import pytest, gradscope" 2>/dev/null; then
    echo "note: pytest or gradscope is not importable in the $name venv; its Python tests are skipped"
    summary+=("$name: not run (install failed)"); return 0
  fi
  "$dir/bin/python" -c "import sys; import importlib.util as u; print('   ', sys.version.split()[0], *(m + (' ' + __import__(m).__version__ if u.find_spec(m) else ' missing') for m in ('numpy', 'torch', 'jax')))" || true
  # The installed package, not the checkout's: run from a scratch directory, and collect the
  # examples and the package tests before test_gradscope_exec.py (which puts python/ on sys.path).
  local log="/tmp/gradscope-ci-python-$name.log" status root=$PWD
  (cd /tmp && "$dir/bin/python" -m pytest -q -rs -p no:cacheprovider \
      "$root/Examples/python" "$root/python/tests" "$root/python/test_gradscope_exec.py") 2>&1 \
    | tee "$log"
  status=${PIPESTATUS[0]}
  local counts
  counts=$(tail -1 "$log" | grep -Eo '[0-9]+ (passed|failed|skipped|errors?)' | paste -sd, - | sed 's/,/, /g')
  if [ "$status" -eq 0 ] || [ "$status" -eq 5 ]; then
    summary+=("$name: ${counts:-no tests}")
  else
    summary+=("$name: ${counts:-pytest exit $status} (FAILED)"); failed=1
  fi
}

run_suite torch "$VENVS/torch" --system-site-packages
run_suite jax "$VENVS/jax" "" jax

line="python tests: $(IFS=';'; echo "${summary[*]}" | sed 's/;/; /g')"
echo "$line"
exit "$failed"
