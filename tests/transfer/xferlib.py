# SPDX-License-Identifier: MIT
"""Helpers for the transfer suite (stage/push/fetch/pull/checkout/verify).

Nothing here trusts the C code: trees are built and compared with plain
Python, BLAKE3 comes from the `b3sum` tool, and the store layout
(stores.md section 0) is re-implemented here to read what the CLI wrote.
"""
import hashlib
import os
import random
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
HEX64 = re.compile(r"^[0-9a-f]{64}$")
ID_LINE = re.compile(rb"^[0-9a-f]{64}\n$")

# Leftover temporary files seen after SIGKILLs (reported in the summary).
TMP_LEFTOVERS = []


def bin_path():
    p = os.environ.get("SNAPDIR_BIN")
    return Path(p) if p else REPO / "build" / "snapdir"


# ---- running the CLI -------------------------------------------------------


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out = args, rc, out
        self.err = err.decode("utf-8", "replace")

    def __repr__(self):
        return "<snapdir %r rc=%r stdout=%r stderr=%r>" % (
            self.args, self.rc, self.out[:300], self.err[:1500])

    @property
    def id(self):
        assert ID_LINE.match(self.out), self
        return self.out[:64].decode()


class Snapdir:
    """Runs the binary with an isolated environment (no SNAPDIR_* leaks)."""

    def __init__(self, binary, env):
        self.bin = str(binary)
        self.env = env

    def environ(self, extra=None):
        env = dict(self.env)
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def cmd(self, args, as_nobody=False):
        c = [self.bin] + [str(a) for a in args]
        return NOBODY + c if as_nobody else c

    def run(self, *args, env=None, cwd=None, input=None, timeout=120,
            as_nobody=False, stderr=None):
        p = subprocess.run(self.cmd(args, as_nobody), input=input,
                           stdin=None if input is not None else subprocess.DEVNULL,
                           cwd=cwd, env=self.environ(env), stdout=subprocess.PIPE,
                           stderr=stderr if stderr is not None else subprocess.PIPE,
                           timeout=timeout)
        return Result([str(a) for a in args], p.returncode, p.stdout,
                      p.stderr if p.stderr is not None else b"")

    def popen(self, *args, env=None, cwd=None):
        return subprocess.Popen(self.cmd(args), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=cwd, env=self.environ(env))

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.rc == 0, r
        return r

    def fail(self, *args, needles=(), **kw):
        """A runtime error: exit 1, empty stdout, every needle on stderr."""
        r = self.run(*args, **kw)
        assert r.rc == 1, r
        assert r.out == b"", r
        for n in needles:
            assert str(n) in r.err, (n, r)
        return r

    def id(self, path):
        return self.ok("id", path).id

    def manifest(self, path):
        return self.ok("manifest", path).out


def finish(proc, timeout=120):
    out, err = proc.communicate(timeout=timeout)
    return Result(proc.args[1:], proc.returncode, out, err)


def kill(proc):
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


# ---- BLAKE3 via b3sum ------------------------------------------------------


def b3_files(paths):
    """Plain BLAKE3 hex of each file (b3sum --no-names, in batches)."""
    paths = [os.fspath(p) for p in paths]
    out = []
    for i in range(0, len(paths), 400):
        batch = paths[i:i + 400]
        p = subprocess.run(["b3sum", "--no-names", "--"] + batch,
                           capture_output=True, check=True)
        lines = p.stdout.decode().split()
        assert len(lines) == len(batch), p
        out.extend(lines)
    return out


def b3(data):
    p = subprocess.run(["b3sum", "--no-names", "-"], input=data,
                       capture_output=True, check=True)
    return p.stdout.decode().strip()


# ---- the store layout (stores.md section 0), re-implemented ---------------


def shard(hexsum):
    return "%s/%s/%s/%s" % (hexsum[:3], hexsum[3:6], hexsum[6:9], hexsum[9:])


def object_path(root, hexsum):
    return Path(root) / ".objects" / shard(hexsum)


def manifest_path(root, mid):
    return Path(root) / ".manifests" / shard(mid)


class Entry:
    __slots__ = ("type", "mode", "sum", "size", "path")

    def __init__(self, line):
        t, mode, s, size, path = line.split(" ", 4)
        self.type, self.mode, self.sum = t, int(mode, 8), s
        self.size, self.path = int(size), path

    @property
    def rel(self):
        """The path relative to the root, without './' and trailing '/'."""
        return self.path[2:].rstrip("/")


def parse_manifest(data):
    text = data.decode() if isinstance(data, bytes) else data
    return [Entry(l) for l in text.split("\n")
            if l and not l.startswith("#")]


def files_of(entries):
    return {e.rel: e for e in entries if e.type == "F"}


def scan_family(root, family):
    """(finals {hex: path}, tmps [path], strays [path]) under root/family."""
    finals, tmps, strays = {}, [], []
    base = Path(root) / family
    if not base.exists():
        return finals, tmps, strays
    for dirpath, dirnames, filenames in os.walk(base):
        rel = Path(dirpath).relative_to(base).parts
        for f in filenames:
            p = Path(dirpath) / f
            if f.endswith(".tmp"):
                tmps.append(p)
                continue
            joined = "".join(rel) + f
            if (len(rel) == 3 and all(len(x) == 3 for x in rel)
                    and HEX64.match(joined)):
                finals[joined] = p
            else:
                strays.append(p)
    return finals, tmps, strays


def check_objects_named_by_hash(root):
    """Every object under its final key hashes to its name. Returns scan."""
    finals, tmps, strays = scan_family(root, ".objects")
    keys = sorted(finals)
    got = b3_files([finals[k] for k in keys])
    bad = [(k, g) for k, g in zip(keys, got) if k != g]
    assert not bad, "objects with wrong bytes under their final key: %r" % bad
    return finals, tmps, strays


def check_manifests_complete(root):
    """Every manifest under its final key has the bytes of its id and all
    its objects are present (and hash right). Returns the ids."""
    mans, _, _ = scan_family(root, ".manifests")
    ids = []
    for mid, p in mans.items():
        data = p.read_bytes()
        assert b3(data) == mid, "manifest %s holds other bytes" % p
        for e in parse_manifest(data):
            if e.type == "F":
                op = object_path(root, e.sum)
                assert op.is_file(), "manifest %s lacks object %s (%s)" % (
                    mid, e.sum, e.path)
        ids.append(mid)
    return ids


def check_layout(root, manifest_bytes, src=None, exact=True, tmp_ok=False):
    """The snapshot sits in root as the frozen layout says, byte for byte."""
    mid = b3(manifest_bytes)
    mp = manifest_path(root, mid)
    assert mp.is_file(), mp
    assert mp.read_bytes() == manifest_bytes
    entries = parse_manifest(manifest_bytes)
    sums = {e.sum for e in entries if e.type == "F"}
    finals, tmps, strays = check_objects_named_by_hash(root)
    assert not strays, strays
    assert tmp_ok or not tmps, tmps
    if exact:
        assert set(finals) == sums
        mans, mt, ms = scan_family(root, ".manifests")
        assert set(mans) == {mid} and not ms, (mans, ms)
        assert tmp_ok or not mt, mt
    else:
        assert sums <= set(finals)
    if src is not None:
        for e in entries:
            if e.type == "F":
                data = (Path(src) / e.rel).read_bytes()
                assert object_path(root, e.sum).read_bytes() == data, e.path
    return mid


# ---- trees ----------------------------------------------------------------


def set_mode(path, mode):
    os.chmod(path, mode)
    got = os.lstat(path).st_mode & 0o7777
    assert got == mode, "chmod %o %r left %o" % (mode, path, got)


def write_file(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    set_mode(path, mode)


NAME_PARTS = ("café", "cafe\u0301", "naïve файл", "emoji-\U0001f980",
              "with space", " lead", "trail ", "日本語", "עברית", "-dash",
              "--dd", ".hidden", "Zebra", "apple", "a b c", "x+y&(z)",
              "line\u2028sep", "ß", "Ω", "tab\tname", "semi;colon",
              "quote'\"", "brace{x}", "pct%s", "back\\slash", "star*", "q?",
              "hash#", "~tilde", "=eq", "10", "2")
FILE_MODES = (0o644, 0o644, 0o644, 0o600, 0o640, 0o444, 0o755, 0o700,
              0o4755, 0o2755, 0o6755, 0o1644, 0o400, 0o000, 0o777)
DIR_MODES = (0o755, 0o755, 0o700, 0o750, 0o1777, 0o2755, 0o555, 0o711,
             0o3775)


def random_tree(root, seed, nfiles=70, big=(2, 2 << 20, 5 << 20)):
    """A seeded tree without symlinks: unicode/spaced names, odd modes
    (set-id, sticky), empty files and dirs, duplicates, big files."""
    rng = random.Random(seed)
    root = Path(root)
    root.mkdir(parents=True)
    dirs = [root]
    dir_modes = []
    contents = []
    used = {root: set()}

    def name(parent):
        while True:
            n = "-".join(rng.sample(NAME_PARTS, rng.choice((1, 1, 2))))
            if rng.random() < 0.4:
                n += rng.choice((".txt", ".dat", ".tmp", " ", ".bin"))
            if n not in used[parent] and n not in (".", ".."):
                used[parent].add(n)
                return n

    def new_dir(parent, n=None):
        n = n or name(parent)
        if n in used[parent] and (parent / n).exists():
            return parent / n
        used[parent].add(n)
        d = parent / n
        d.mkdir()
        used[d] = set()
        dirs.append(d)
        dir_modes.append((d, rng.choice(DIR_MODES)))
        return d

    def new_file(parent, data, n=None, mode=None):
        n = n or name(parent)
        used[parent].add(n)
        write_file(parent / n, data,
                   mode if mode is not None else rng.choice(FILE_MODES))
        contents.append(data)

    # fixed traps: ordering (a.txt < a/ < a/x < a0), every special mode
    a = new_dir(root, "a")
    new_file(a, b"x-in-a", "x")
    new_file(root, b"a-dot-txt", "a.txt")
    new_file(root, b"a-zero", "a0")
    new_file(root, b"", "empty file", 0o644)
    new_file(root, b"suid", "setuid.bin", 0o4755)
    new_file(root, b"sgid", "setgid.bin", 0o2755)
    new_file(root, b"sticky", "sticky file", 0o1644)
    new_dir(root, "empty dir")
    sd = new_dir(root, "sticky dir")
    dir_modes[-1] = (sd, 0o1777)
    gd = new_dir(root, "setgid dir")
    dir_modes[-1] = (gd, 0o2775)
    new_file(gd, b"dup\n", "dup one", 0o644)
    new_file(sd, b"dup\n", "dup two", 0o600)
    # random nested subtree
    for _ in range(rng.randint(4, 9)):
        parent = rng.choice(dirs)
        if len(parent.relative_to(root).parts) < 4:
            new_dir(parent)
    for _ in range(nfiles):
        parent = rng.choice(dirs)
        if contents and rng.random() < 0.2:
            data = rng.choice(contents)
        else:
            data = rng.randbytes(rng.choice((0, 1, 7, 100, 1023, 1024, 1025,
                                             4096, 65537, 300000)))
        new_file(parent, data)
    nbig, lo, hi = big
    for _ in range(nbig):
        parent = rng.choice(dirs)
        new_file(parent, rng.randbytes(rng.randint(lo, hi)), mode=0o644)
    for d, mode in sorted(dir_modes, key=lambda x: -len(x[0].parts)):
        set_mode(d, mode)
    set_mode(root, rng.choice((0o755, 0o750, 0o700)))
    return root


def plain_tree(root, files, dirs=(), mode=0o755):
    """files: {rel: bytes}; parents are created 0755."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for d in dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        write_file(p, data)
    os.chmod(root, mode)
    return root


def snapshot(path, mtimes=True):
    """Everything observable about a tree (or its absence), lstat-based."""
    path = Path(path)
    if not os.path.lexists(path):
        return None
    out = {}

    def one(p, rel):
        st = os.lstat(p)
        kind = stat.S_IFMT(st.st_mode)
        rec = [kind, st.st_mode & 0o7777, st.st_uid]
        if mtimes:
            rec.append(st.st_mtime_ns)
        if stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                rec.append(hashlib.sha256(f.read()).hexdigest())
            rec.append(st.st_ino)
        elif stat.S_ISLNK(st.st_mode):
            rec.append(os.readlink(p))
        out[rel] = tuple(rec)
        return stat.S_ISDIR(st.st_mode)

    if one(path, "."):
        for dirpath, dirnames, filenames in os.walk(path):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                one(p, os.path.relpath(p, path))
    return out


def compare_trees(src, dest):
    """Same names, types, modes and bytes (no symlinks expected)."""
    a, b = snapshot(src, mtimes=False), snapshot(dest, mtimes=False)
    assert a is not None and b is not None
    assert sorted(a) == sorted(b), (sorted(set(a) ^ set(b)))[:20]
    for rel in a:
        # kind, mode, uid, sha (files)
        assert a[rel][:2] == b[rel][:2], (rel, oct(a[rel][1]), oct(b[rel][1]))
        if stat.S_ISREG(a[rel][0]):
            assert a[rel][3] == b[rel][3], rel


def check_dest_after_kill(dest, src, entries, label):
    """Every regular file in dest has the bytes of its manifest entry, or is
    a leftover temporary (name ends in .tmp). Returns the leftovers."""
    files = files_of(entries)
    leftovers = []
    if not os.path.lexists(dest):
        return leftovers
    for dirpath, dirnames, filenames in os.walk(dest):
        for n in filenames + [d for d in dirnames
                              if os.path.islink(os.path.join(dirpath, d))]:
            p = Path(dirpath) / n
            rel = str(p.relative_to(dest))
            st = os.lstat(p)
            assert stat.S_ISREG(st.st_mode), "not a regular file: %s" % p
            if rel in files:
                want = (Path(src) / rel).read_bytes()
                assert st.st_size == len(want) and p.read_bytes() == want, (
                    "%s: file under its final name with wrong bytes" % p)
            else:
                assert n.endswith(".tmp"), "unexpected file %s" % p
                leftovers.append(str(p))
    if leftovers:
        TMP_LEFTOVERS.append((label, leftovers))
    return leftovers


def note_leftovers(label, paths):
    if paths:
        TMP_LEFTOVERS.append((label, [str(p) for p in paths]))


def rmtree(path):
    """Remove a tree whatever its modes (never following symlinks)."""
    path = os.fspath(path)
    if not os.path.lexists(path):
        return
    if os.path.islink(path) or not os.path.isdir(path):
        os.unlink(path)
        return
    subprocess.run(["chmod", "-R", "u+rwx", path], capture_output=True)
    subprocess.run(["rm", "-rf", "--one-file-system", path], check=False)
