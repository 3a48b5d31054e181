#!/usr/bin/env bash
# python.sh ARBITER SRC — the Python package's tests (python/tests, pytest)
# against the build tree's libarbiter.so, with Debian's python3 (its
# python3-cffi and python3-pytest: scripts/setup.sh).  In a sanitizer build
# (ARB_SANITIZE=ON) the sanitizers' runtimes are preloaded into the
# interpreter, which is not built with them (leaks are not checked: the
# interpreter keeps memory to its exit).
set -uo pipefail
arbiter=$1 src=$2
build=${ARB_BUILD_DIR:-$(dirname "$arbiter")}
py=${ARB_PYTHON:-/usr/bin/python3}
"$py" -c 'import cffi, pytest' || {
  echo "python: $py lacks cffi or pytest (bash scripts/setup.sh installs python3-cffi, python3-pytest)"
  exit 1
}
if [ "${ARB_SANITIZE:-OFF}" = ON ]; then
  cc=${ARB_CC:-cc}
  LD_PRELOAD="$($cc -print-file-name=libasan.so):$($cc -print-file-name=libubsan.so)"
  export LD_PRELOAD
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
export ARBITER_LIB=$build/libarbiter.so ARBITER_BIN=$arbiter ARBITER_STDLIB=$src/stdlib-rules
export PYTHONPATH=$src/python${PYTHONPATH:+:$PYTHONPATH}
exec "$py" -m pytest -q -p no:cacheprovider "$src/python/tests"
