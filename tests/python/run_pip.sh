#!/bin/sh
# SPDX-License-Identifier: MIT
# The `python` ctest of a build without the in-tree module (SNAPDIR_PYTHON
# OFF, e.g. `make test`): pip builds the package from this source tree the
# way users get it (scikit-build-core driving the same CMake) and installs it
# into a venv under WORK_DIR, then pytest runs tests/python against it.
#   run_pip.sh SOURCE_DIR WORK_DIR PYTHON
# The venv sees the interpreter's packages (scripts/bootstrap installs
# scikit-build-core, pytest, pytest-asyncio, mypy); nothing is downloaded.
set -eu
src=$1
work=$2
python=$3
venv=$work/venv
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv --system-site-packages "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
    --no-build-isolation --no-deps --force-reinstall \
    --config-settings=build-dir="$work/build" "$src"
cd "$work"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    -c "$src/pyproject.toml" --rootdir "$src" "$src/tests/python"
