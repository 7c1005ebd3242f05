# SPDX-License-Identifier: MIT
"""Fixtures for the Python package suite (pytest + pytest-asyncio, auto mode).

The package under test is whatever `import snapdir` finds: the ctest puts
the one built from this tree first (a venv that pip installed it into, or
<build>/python with -DSNAPDIR_PYTHON=ON). The CLI used for cross-checks is
$SNAPDIR_BIN, else build/snapdir, else `snapdir` next to the interpreter.
Every test gets its own cache (SNAPDIR_CACHE_DIR) and its own HOME.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

TREE_A = {
    "hello.txt": b"hello world\n",
    "nested/inner.bin": b"\x00\x01\x02\x03payload",
    "empty.txt": b"",
}
TREE_B = {
    "hello.txt": b"a DIFFERENT body\n",
    "nested/inner.bin": b"other",
}


def write_tree(root: Path, files: dict[str, bytes], mode: int = 0o644) -> Path:
    """Create files (relative path -> content); returns root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        p.chmod(mode)
    return root


def many_files(root: Path, dirs: int, per_dir: int, size: int, seed: int = 0) -> Path:
    """dirs x per_dir files of size distinct bytes each."""
    root.mkdir(parents=True, exist_ok=True)
    for d in range(dirs):
        sub = root / ("d%03d" % d)
        sub.mkdir(exist_ok=True)
        for f in range(per_dir):
            head = ("%d/%d/%d/" % (seed, d, f)).encode()
            body = hashlib.sha256(head).digest() * (size // 32 + 1)
            (sub / ("f%04d.bin" % f)).write_bytes((head + body)[:size])
    return root


def find_cli() -> str:
    env = os.environ.get("SNAPDIR_BIN")
    if env:
        return env
    for candidate in (
        REPO / "build" / "snapdir",
        Path(sys.executable).parent / "snapdir",
    ):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("snapdir")
    if found:
        return found
    raise RuntimeError(
        "the snapdir CLI was not found: set SNAPDIR_BIN or build build/snapdir"
    )


class Cli:
    """Runs the snapdir command with the test's environment."""

    def __init__(self, binary: str) -> None:
        self.bin = binary

    def run(self, *args: object, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        env = dict(os.environ)
        env.pop("SNAPDIR_MANIFEST_CONTEXT", None)
        env["SNAPDIR_NO_PROGRESS"] = "true"
        p = subprocess.run(
            [self.bin, *map(str, args)],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
        )
        if check and p.returncode != 0:
            raise AssertionError(
                "snapdir %s failed (%d): %s"
                % (" ".join(map(str, args)), p.returncode, p.stderr.decode(errors="replace"))
            )
        return p

    def text(self, *args: object) -> str:
        return self.run(*args).stdout.decode()


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli(find_cli())


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache and HOME; no store routing from the environment."""
    cache = tmp_path / "cache"
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("SNAPDIR_CACHE_DIR", str(cache))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for var in ("SNAPDIR_STORE", "SNAPDIR_OBJECTS_STORE", "SNAPDIR_MANIFEST_CONTEXT"):
        monkeypatch.delenv(var, raising=False)
    return cache


@pytest.fixture
def cache_dir(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def tree_a(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree_a", TREE_A)


@pytest.fixture
def tree_b(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree_b", TREE_B)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return "file://" + str(tmp_path / "store")


@pytest.fixture(scope="session")
def tree_5000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25 directories x 200 files of 256 bytes (the reference's loop test)."""
    return many_files(tmp_path_factory.mktemp("t5000") / "tree", 25, 200, 256)


@pytest.fixture(scope="session")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 200 MiB in 100 files: long enough to hash to watch it."""
    return many_files(tmp_path_factory.mktemp("big") / "tree", 4, 25, 2 << 20, seed=7)


@pytest.fixture(scope="session")
def transfer_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 files of 8 KiB: a push, fetch, sync or stage lasting about a
    second, so the first progress report (at 100 ms) can cancel it midway."""
    return many_files(tmp_path_factory.mktemp("xfer") / "tree", 20, 100, 8 << 10, seed=3)


@pytest.fixture(scope="session")
def dup_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 files with the same 1 KiB content: a single object, but a long
    checkout."""
    root = tmp_path_factory.mktemp("dup") / "tree"
    body = bytes(range(256)) * 4
    for d in range(20):
        sub = root / ("d%02d" % d)
        sub.mkdir(parents=True)
        for f in range(250):
            (sub / ("f%03d" % f)).write_bytes(body)
    return root


def sha_tree(root: Path) -> dict[str, bytes]:
    """Every file under root: relative path -> contents."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


@pytest.fixture
def chdir_tmp(tmp_path: Path) -> Iterator[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
