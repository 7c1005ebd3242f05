"""Fixtures for the snapdir CLI suite (run by ctest with SNAPDIR_BIN set)."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sdhelpers  # noqa: E402

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out = args, rc, out
        self.err_bytes = err
        self.err = err.decode("utf-8", "replace")

    def __repr__(self):
        return "<snapdir %r rc=%r stdout=%r stderr=%r>" % (
            self.args, self.rc, self.out[:400], self.err[:800])

    @property
    def text(self):
        return self.out.decode()


class Snapdir:
    """Runs the CLI with an isolated environment."""

    def __init__(self, binary, env):
        self.bin = str(binary)
        self.env = env

    def environ(self, extra=None, drop=()):
        env = dict(self.env)
        for k in drop:
            env.pop(k, None)
        env.update(extra or {})
        return env

    def run(self, *args, input=None, stdin=None, cwd=None, env=None,
            timeout=60, as_nobody=False):
        cmd = [self.bin] + [str(a) for a in args]
        if as_nobody:
            cmd = NOBODY + cmd
        if stdin is None and input is None:
            stdin = subprocess.DEVNULL
        p = subprocess.run(cmd, input=input, stdin=stdin, cwd=cwd,
                           env=self.environ(env), capture_output=True,
                           timeout=timeout)
        return Result(list(args), p.returncode, p.stdout, p.stderr)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.rc == 0, r
        return r

    def fail(self, *args, needles=(), **kw):
        """Runtime error: exit 1, nothing on stdout, `snapdir: ` message."""
        r = self.run(*args, **kw)
        assert r.rc == 1, r
        assert r.out == b"", r
        assert r.err.startswith("snapdir: "), r
        for n in needles:
            assert n in r.err, (n, r)
        return r

    def usage(self, *args, needles=(), **kw):
        """Usage error: exit 2, nothing on stdout, clap-style text."""
        r = self.run(*args, **kw)
        assert r.rc == 2, r
        assert r.out == b"", r
        assert r.err.startswith("error: "), r
        assert "Usage: snapdir" in r.err, r
        for n in needles:
            assert n in r.err, (n, r)
        return r


def _rmtree(path):
    def onerror(func, p, exc):
        # make it writable/traversable and retry
        for q in (os.path.dirname(p), p):
            try:
                os.chmod(q, 0o755)
            except OSError:
                pass
        try:
            func(p)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=onerror)
    else:
        shutil.rmtree(path, onerror=onerror)


def _world_dir(prefix, base="/tmp"):
    d = tempfile.mkdtemp(prefix=prefix, dir=base)
    os.chmod(d, 0o755)  # the unprivileged user must be able to traverse it
    return Path(d)


@pytest.fixture(scope="session")
def snapdir_bin():
    p = sdhelpers.bin_path()
    assert p.is_file() and os.access(p, os.X_OK), (
        "snapdir binary not found at %s (set SNAPDIR_BIN or build first)" % p)
    return p.resolve()


@pytest.fixture
def base():
    """A fresh world-traversable directory for trees (not the pytest tmp)."""
    d = _world_dir("sdcli-")
    yield d
    _rmtree(d)


@pytest.fixture
def shm_base():
    """Like `base`, on tmpfs when available (mmap/truncate semantics)."""
    root = "/tmp"
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        st = os.statvfs("/dev/shm")
        if st.f_bavail * st.f_frsize >= 2 << 30:  # room for a 512 MiB file
            root = "/dev/shm"
    d = _world_dir("sdcli-", root)
    yield d
    _rmtree(d)


@pytest.fixture
def sd(snapdir_bin, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SNAPDIR")}
    for name in ("cache", "home", "xdg"):
        (tmp_path / name).mkdir()
    env["SNAPDIR_CACHE_DIR"] = str(tmp_path / "cache")
    env["HOME"] = str(tmp_path / "home")
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    env.pop("NO_COLOR", None)
    env["LC_ALL"] = "C"
    return Snapdir(snapdir_bin, env)


@pytest.fixture
def golden(base):
    """The cli-surface.md §5.1 tree."""
    return sdhelpers.make_tree(base / "golden", sdhelpers.GOLDEN_TREE)
