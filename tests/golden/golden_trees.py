# SPDX-License-Identifier: MIT
"""Builds the eight golden fixture trees described in
shared/golden/FIXTURES.md (written from that prose).

Every mode is set with an explicit chmod after the entry exists, so the umask
does not matter, and read back: a kernel or mount that strips a set-id or
sticky bit makes the build fail instead of silently producing a tree that
cannot match the baseline.
"""
import hashlib
import os
from pathlib import Path

TREES = ("empty", "single-file", "nested", "unicode-paths", "symlinks",
         "identical-content", "large-tree", "permissions")


class ModeNotKept(AssertionError):
    pass


def _set_mode(path, mode):
    os.chmod(path, mode)
    got = os.lstat(path).st_mode & 0o7777
    if got != mode:
        raise ModeNotKept(
            f"chmod {mode:o} {os.fsdecode(path)!r} left mode {got:o}: the "
            "kernel or mount strips this bit (nosuid mount, or setgid on a "
            "file whose group is not one of the caller's groups); the golden "
            "baseline needs it kept")


def _dir(path, mode=0o755):
    os.mkdir(path)
    _set_mode(path, mode)


def _file(path, content, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    _set_mode(path, mode)


def build_empty(root):
    _dir(root)


def build_single_file(root):
    _dir(root)
    _file(root / "a.txt", b"hello")


def build_nested(root):
    _dir(root)
    deep = root
    for level in range(1, 9):
        deep = deep / f"l{level}"
        _dir(deep)
    _file(deep / "bottom.txt", b"bottom")
    _file(root / "l1/l2/l3/dup.txt", b"shared-bytes\n")
    _file(root / "l1/l2/dup.txt", b"shared-bytes\n")
    _file(root / "l1/a.txt", b"a")
    _file(root / "l1/z.txt", b"z")
    _file(root / "top.txt", b"top")


UNICODE_NAMES = (
    b"caf\xc3\xa9.txt",
    b"cafe\xcc\x81.txt",
    b"with space.txt",
    b"trailing.space .txt",
    b"sym+bol&(name).bin",
    b"emoji-\xf0\x9f\xa6\x80.rs",
    b"na\xc3\xaf\xd0\xb2\xd0\xb5 \xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.dat",
    b"\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa.txt",
    b"tabless\xe2\x80\xa8line.txt",
    b".hidden",
    b"-leading-dash.txt",
    b"--double-dash",
    b"Zebra.TXT",
    b"apple.txt",
    b"2-two.txt",
    b"10-ten.txt",
)


def build_unicode_paths(root):
    _dir(root)
    broot = os.fsencode(root)
    for name in UNICODE_NAMES:
        _file(broot + b"/" + name, name)


def build_symlinks(root):
    _dir(root)
    _dir(root / "realdir")
    _file(root / "realdir/inner.txt", b"inner")
    _file(root / "target.txt", b"target-bytes")
    for name, target in (("link-to-file", "target.txt"),
                         ("link-to-dir", "realdir"),
                         ("hop-a", "hop-b"),
                         ("hop-b", "realdir/inner.txt"),
                         ("broken", "./nonexistent"),
                         ("escape", "../../etc/hostname")):
        os.symlink(target, root / name)


def build_identical_content(root):
    _dir(root)
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        _file(root / name, b"same-content\n")
    _file(root / "z-different.txt", b"unique\n")


def build_large_tree(root):
    _dir(root)
    for d in range(100):
        sub = f"{d:02x}"
        _dir(root / sub)
        for f in range(100):
            rel = f"{sub}/f{f:03d}.dat"
            _file(root / rel, hashlib.sha256(b"20260624" + rel.encode()).digest())


def build_permissions(root):
    _dir(root)
    _file(root / "readable.txt", b"r", 0o644)
    _file(root / "private.txt", b"p", 0o600)
    _file(root / "world-read.txt", b"w", 0o444)
    _file(root / "executable.sh", b"#!/bin/sh\n", 0o755)
    _dir(root / "lockeddir", 0o755)
    _file(root / "lockeddir/inner", b"i", 0o600)
    _set_mode(root / "lockeddir", 0o700)
    _dir(root / "sticky", 0o1777)
    _file(root / "setuid.bin", b"setuid-content", 0o4755)
    _file(root / "setgid.bin", b"setgid-content", 0o2755)


BUILDERS = {
    "empty": build_empty,
    "single-file": build_single_file,
    "nested": build_nested,
    "unicode-paths": build_unicode_paths,
    "symlinks": build_symlinks,
    "identical-content": build_identical_content,
    "large-tree": build_large_tree,
    "permissions": build_permissions,
}


def build_all(base):
    """Build every tree under base/work/<name> and return {name: path}.

    The trees sit two levels below base, which must not hold etc/hostname,
    so the `escape` link of the symlinks tree (../../etc/hostname) dangles.
    """
    base = Path(base)
    if (base / "etc" / "hostname").exists():
        raise AssertionError(f"{base}/etc/hostname exists: `escape` would resolve")
    work = base / "work"
    work.mkdir()
    trees = {}
    for name, build in BUILDERS.items():
        build(work / name)
        trees[name] = work / name
    return trees
