# SPDX-License-Identifier: MIT
"""The stubs: `mypy --strict` accepts a program using the whole API (and
rejects misuse); the example program also runs."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import snapdir

from conftest import REPO

EXAMPLE = REPO / "examples" / "typed_usage.py"
PKG_PARENT = Path(snapdir.__file__).resolve().parent.parent


def mypy(tmp_path: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    try:
        import mypy  # noqa: F401
    except ImportError:  # pragma: no cover
        raise AssertionError("mypy is not installed (scripts/bootstrap installs it)")
    env = dict(os.environ)
    # type-check against the package under test (stubs + py.typed): an
    # installed one mypy finds itself, one from a build tree through MYPYPATH
    installed = {Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib")}
    if PKG_PARENT not in installed:
        env["MYPYPATH"] = str(PKG_PARENT)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "mypy-cache"), *targets],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_mypy_strict_accepts_the_example(tmp_path):
    p = mypy(tmp_path, str(EXAMPLE))
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_strict_rejects_misuse(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import snapdir\n"
        "async def f() -> None:\n"
        "    m = await snapdir.manifest('.', no_follow='yes')\n"
        "    n: int = await snapdir.id('.')\n"
        "    snapdir.SnapshotId(3)\n"
        "    await snapdir.diff(['file:///x'])\n"
        "    m.entries[0].path = 'x'\n"
    )
    p = mypy(tmp_path, str(bad))
    assert p.returncode == 1
    for line in (3, 4, 5, 6, 7):
        assert "bad.py:%d: error" % line in p.stdout, p.stdout


def test_the_example_runs(tmp_path):
    env = dict(os.environ)
    env["SNAPDIR_CACHE_DIR"] = str(tmp_path / "cache")
    env["PYTHONPATH"] = str(PKG_PARENT) + os.pathsep + env.get("PYTHONPATH", "")
    p = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr
    assert "snapdir 1.11.0" in p.stdout
    assert "A ./added.txt" in p.stdout
    assert "cancelled" in p.stdout
