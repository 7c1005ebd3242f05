# SPDX-License-Identifier: MIT
"""Fixtures for the transfer suite (ctest runs it with SNAPDIR_BIN set)."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import xferlib  # noqa: E402


def clean_env(home, xdg):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SNAPDIR")}
    env.pop("NO_COLOR", None)
    env["HOME"] = str(home)
    env["XDG_CACHE_HOME"] = str(xdg)
    env["LC_ALL"] = "C.UTF-8"
    env["TERM"] = "dumb"
    return env


class World:
    """One test's private directories: cache, stores, HOME, trees."""

    def __init__(self, root, sd):
        self.root = root
        self.sd = sd
        self.cache = root / "cache"
        self.store = root / "store"
        self.home = root / "home"
        self.xdg = root / "xdg"
        self.mounts = []

    @property
    def uri(self):
        return "file://" + str(self.store)

    def path(self, name):
        return self.root / name

    def C(self, cache=None):
        return ["--cache-dir", str(cache or self.cache)]

    def mount_tmpfs(self, path, size="2m"):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size,
                        "tmpfs", str(path)], check=True)
        self.mounts.append(path)
        return path

    def bind_ro(self, src, path):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "--bind", str(src), str(path)], check=True)
        self.mounts.append(path)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(path)],
                       check=True)
        return path

    def teardown(self):
        for m in reversed(self.mounts):
            r = subprocess.run(["umount", str(m)], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", str(m)], capture_output=True)
        xferlib.rmtree(self.root)


@pytest.fixture(scope="session")
def snapdir_bin():
    p = xferlib.bin_path()
    assert p.is_file() and os.access(p, os.X_OK), (
        "snapdir binary not found at %s (set SNAPDIR_BIN or build first)" % p)
    return p.resolve()


def fast_base():
    """tmpfs when there is room (metadata-heavy tests run ~10x faster)."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        st = os.statvfs(shm)
        if st.f_bavail * st.f_frsize >= 2 << 30:
            return shm
    return "/tmp"


def make_world(snapdir_bin, prefix="sdxfer-", base=None):
    # world-traversable: some tests run commands as uid 65534
    root = Path(tempfile.mkdtemp(prefix=prefix, dir=base or fast_base()))
    os.chmod(root, 0o755)
    for n in ("home", "xdg"):
        (root / n).mkdir()
    sd = xferlib.Snapdir(snapdir_bin,
                         clean_env(root / "home", root / "xdg"))
    return World(root, sd)


@pytest.fixture
def w(snapdir_bin):
    world = make_world(snapdir_bin)
    yield world
    world.teardown()


@pytest.fixture
def sd(w):
    return w.sd


def pytest_terminal_summary(terminalreporter):
    if xferlib.TMP_LEFTOVERS:
        tr = terminalreporter
        tr.section("transfer: temporary files left by killed processes")
        for label, paths in xferlib.TMP_LEFTOVERS:
            tr.write_line("%s: %d leftover(s), e.g. %s" % (
                label, len(paths), paths[0]))
