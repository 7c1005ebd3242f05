# SPDX-License-Identifier: MIT
"""An independent reference walker for the manifest format
(shared/spec/manifest-format.md), used as the oracle of the randomized
conformance test.

It walks with os.listdir/os.lstat/os.stat only and hashes file contents with
the ``b3sum`` binary (or hashlib for md5sum/sha256sum). It knows nothing of
the C walker's internals: no chunking, no threads, one plain recursion.
"""
import errno
import hashlib
import os
import re
import stat

import sdtest

ALGOS = ("blake3", "md5", "sha256")


class Hasher:
    """File and byte-string hashing for one checksum mode."""

    def __init__(self, algo="blake3", context=None):
        assert algo in ALGOS, algo
        assert context is None or algo == "blake3"
        self.algo = algo
        self.context = context or None

    def files(self, paths):
        if self.algo == "blake3":
            return sdtest.b3_files(paths, self.context)
        out = []
        for p in paths:
            h = hashlib.new(self.algo)
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            out.append(h.hexdigest())
        return out

    def strings(self, datas):
        if self.algo == "blake3":
            return sdtest.b3_strings(datas, self.context)
        return [hashlib.new(self.algo, d).hexdigest() for d in datas]


class Node:
    __slots__ = ("kind", "mode", "size", "name", "children", "content",
                 "key", "csum", "depth")

    def __init__(self, kind, mode, name, depth):
        self.kind = kind
        self.mode = mode
        self.size = 0
        self.name = name
        self.children = []
        self.content = None  # path to open for a file
        self.key = None      # (st_dev, st_ino) of the content
        self.csum = None
        self.depth = depth


def _excluded(patterns, path):
    return any(p.search(path) for p in patterns)


def _join(dirpath, name):
    return (dirpath if dirpath == b"/" else dirpath + b"/") + name


def _scan(node, dirpath, ancestors, follow, patterns, files, dirs):
    """Fill node.children from the directory at dirpath (bytes, absolute,
    spelled through followed links). ancestors: (dev, ino) of every
    directory on the way down, node included."""
    for name in os.listdir(dirpath):
        child = _join(dirpath, name)
        if patterns and _excluded(patterns, child):
            continue
        lst = os.lstat(child)
        target = lst
        if stat.S_ISLNK(lst.st_mode):
            if not follow:
                continue
            try:
                target = os.stat(child)
            except OSError as e:
                if e.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                    continue  # dangling, or a cycle of links
                raise
            if stat.S_ISDIR(target.st_mode) and \
                    (target.st_dev, target.st_ino) in ancestors:
                continue  # a link back to an ancestor: a loop
        if stat.S_ISDIR(target.st_mode):
            n = Node("D", lst.st_mode & 0o7777, name, node.depth + 1)
            dirs.append(n)
            _scan(n, child, ancestors | {(target.st_dev, target.st_ino)},
                  follow, patterns, files, dirs)
        elif stat.S_ISREG(target.st_mode):
            n = Node("F", lst.st_mode & 0o7777, name, node.depth + 1)
            n.size = lst.st_size  # the link's own size when followed
            n.content = child
            n.key = (target.st_dev, target.st_ino)
            files.append(n)
        else:
            continue  # FIFOs, sockets, devices
        node.children.append(n)


def compile_excludes(patterns):
    """Python equivalents of the POSIX ERE patterns, matched on bytes (the
    tests only use patterns on which both dialects agree)."""
    return [re.compile(p if isinstance(p, bytes) else os.fsencode(p))
            for p in patterns]


def walk(root, *, follow=True, absolute=False, excludes=(), hasher=None,
         root_abs=None):
    """The manifest of root as a list of lines (bytes, no newline).

    root_abs: the absolute path to record / match excludes against
    (default: os.path.abspath(root)); the tests pass real paths.
    """
    hasher = hasher or Hasher()
    root_abs = os.fsencode(root_abs or os.path.abspath(root))
    patterns = compile_excludes(excludes)
    lst = os.lstat(root_abs)
    st = os.stat(root_abs)
    assert stat.S_ISDIR(st.st_mode)
    top = Node("D", lst.st_mode & 0o7777, b"", 0)
    files, dirs = [], [top]
    _scan(top, root_abs, frozenset({(st.st_dev, st.st_ino)}), follow, patterns,
          files, dirs)

    # file checksums: one hash per distinct content inode
    first_path = {}
    for f in files:
        first_path.setdefault(f.key, f.content)
    keys = list(first_path)
    sums = dict(zip(keys, hasher.files([first_path[k] for k in keys])))
    for f in files:
        f.csum = sums[f.key]

    # directory checksums, deepest level first (one hashing batch per level)
    for depth in sorted({d.depth for d in dirs}, reverse=True):
        level = [d for d in dirs if d.depth == depth]
        datas = []
        for d in level:
            d.size = sum(c.size for c in d.children)
            datas.append("".join(sorted({c.csum for c in d.children})).encode())
        for d, s in zip(level, hasher.strings(datas)):
            d.csum = s

    rows = []

    def flatten(node, path):
        rows.append((path, node))
        for c in node.children:
            flatten(c, path + c.name + (b"/" if c.kind == "D" else b""))

    flatten(top, (root_abs.rstrip(b"/") + b"/") if absolute else b"./")
    rows.sort(key=lambda r: r[0])
    return [f"{n.kind} {n.mode:o} {n.csum} {n.size} ".encode() + p
            for p, n in rows]


def render(lines):
    return b"".join(line + b"\n" for line in lines)


def manifest_text(root, **kw):
    return render(walk(root, **kw))
