"""Shared helpers for the snapdir CLI suite.

Everything here is independent of the C code under test: reference manifests
are computed from the filesystem with hashlib / `b3sum`, following
shared/spec/manifest-format.md.
"""

import hashlib
import os
import re
import stat
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

EMPTY_ID = "295192ea1ec8566d563b1a7587e5f0198580cdbd043842f5090a4c197c20c67a"
EMPTY_B3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
GOLDEN_ID = "e40705a8733449f93f0413549a20797575b2065669e35e5b6cd1084dc81ebeaf"
FOO_ID = "ff83fc0387da6480304710b52094f1d137736908661b01cb4e838116dc37d231"

# cli-surface.md §5.1, byte for byte
GOLDEN_MANIFEST = (
    b"D 755 8aef26c9096d23a66415a42f070250ccbfb616113a299462c44cdc1a21c37d4b 12 ./\n"
    b"F 644 ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f 5 ./a.txt\n"
    b"F 644 af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 ./empty\n"
    b"D 755 86659b1ecbc3c43c105315cb5c9c12f376527cc5dcc14a7bb6a8b99676e88b0e 7 ./sub/\n"
    b"F 644 8bafa24d36bc2aa6edc0d041e763cb59ebadb71b6e63ab4ac9314de95e9a0de7 7 ./sub/b.txt\n"
)

# the §5.1 golden tree and the §4.5 "foo" tree
GOLDEN_TREE = {
    "a.txt": (b"hello", 0o644),
    "empty": (b"", 0o644),
    "sub/": 0o755,
    "sub/b.txt": (b"world!!", 0o644),
}
FOO_TREE = {
    "a.txt": (b"hello", 0o644),
    "bar.txt": (b"", 0o644),
    "sub/": 0o755,
    "sub/b.txt": (b"world!!", 0o644),
}

ID_RE = re.compile(rb"^[0-9a-f]{64}\n$")


def bin_path():
    p = os.environ.get("SNAPDIR_BIN")
    return Path(p) if p else REPO / "build" / "snapdir"


# ---- building trees ------------------------------------------------------


def make_tree(root, entries, root_mode=0o755):
    """entries: {"dir/": mode, "dir/file": (bytes, mode)}; modes applied last."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    dir_modes = []
    for rel in sorted(entries):
        spec = entries[rel]
        p = root / rel.rstrip("/")
        if rel.endswith("/"):
            p.mkdir(parents=True, exist_ok=True)
            dir_modes.append((p, spec))
        else:
            data, mode = spec
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data.encode() if isinstance(data, str) else data)
            os.chmod(p, mode)
    for p, mode in reversed(dir_modes):
        os.chmod(p, mode)
    os.chmod(root, root_mode)
    return root


# ---- hashing -------------------------------------------------------------


def b3_many(datas, key=None):
    """BLAKE3 (or derive-key mode with context `key`) of each bytes object."""
    datas = list(datas)
    if not datas:
        return []
    with tempfile.TemporaryDirectory(prefix="sdb3-") as d:
        paths = []
        for i, data in enumerate(datas):
            p = os.path.join(d, str(i))
            with open(p, "wb") as f:
                f.write(data)
            paths.append(p)
        return b3_files(paths, key)


def b3_files(paths, key=None):
    cmd = ["b3sum", "--no-names"]
    if key is not None:
        cmd += ["--derive-key", key]
    out = subprocess.run(cmd + ["--"] + [str(p) for p in paths],
                         check=True, capture_output=True).stdout.decode()
    sums = out.split()
    assert len(sums) == len(paths)
    return sums


def b3(data, key=None):
    return b3_many([data], key)[0]


class Hasher:
    """Hash of many byte strings at once: 'b3' (optionally keyed), md5, sha256."""

    def __init__(self, kind="b3", key=None):
        self.kind, self.key = kind, key

    def many(self, datas):
        if self.kind == "b3":
            return b3_many(datas, self.key)
        return [hashlib.new(self.kind, d).hexdigest() for d in datas]

    def files(self, paths):
        if self.kind == "b3":
            return b3_files(paths, self.key) if paths else []
        out = []
        for p in paths:
            with open(p, "rb") as f:
                out.append(hashlib.new(self.kind, f.read()).hexdigest())
        return out


# ---- reference manifests -------------------------------------------------


def ref_manifest(root, kind="b3", key=None, absolute=False, exclude=None):
    """The manifest text of `root` per manifest-format.md, computed in Python.

    Follows symlinks (dangling ones and special files are left out).
    `exclude`: a compiled Python regex (searched in the absolute path,
    directories without the trailing slash).
    """
    root = os.path.abspath(str(root))
    h = Hasher(kind, key)
    entries = {}  # rel path (no ./) -> dict

    def walk(abs_dir, rel_dir):
        children = []
        for name in os.listdir(abs_dir):
            ap = os.path.join(abs_dir, name)
            rel = rel_dir + name
            if exclude is not None and exclude.search(ap):
                continue
            lst = os.lstat(ap)
            try:
                st = os.stat(ap)
            except OSError:
                continue  # dangling link / loop
            if stat.S_ISDIR(st.st_mode):
                e = {"type": "D", "mode": stat.S_IMODE(lst.st_mode),
                     "abs": ap, "children": []}
                entries[rel + "/"] = e
                e["children"] = walk(ap, rel + "/")
                children.append(rel + "/")
            elif stat.S_ISREG(st.st_mode):
                entries[rel] = {"type": "F", "mode": stat.S_IMODE(lst.st_mode),
                                "abs": ap, "size": lst.st_size}
                children.append(rel)
        return children

    top = {"type": "D", "mode": stat.S_IMODE(os.lstat(root).st_mode),
           "abs": root}
    entries[""] = top
    top["children"] = walk(root, "")
    files = [k for k, e in entries.items() if e["type"] == "F"]
    for k, s in zip(files, h.files([entries[k]["abs"] for k in files])):
        entries[k]["sum"] = s
    # directories bottom-up: deepest first
    dirs = sorted((k for k, e in entries.items() if e["type"] == "D"),
                  key=lambda k: -k.count("/"))
    level = None
    pending = []

    def flush():
        sums = h.many([b"".join(sorted({entries[c]["sum"].encode()
                                         for c in entries[d]["children"]}))
                       for d in pending])
        for d, s in zip(pending, sums):
            entries[d]["sum"] = s
            entries[d]["size"] = sum(entries[c]["size"]
                                     for c in entries[d]["children"])
        pending.clear()

    for d in dirs:
        depth = d.count("/")
        if level is not None and depth != level:
            flush()
        level = depth
        pending.append(d)
    flush()
    prefix = (root.rstrip("/") + "/") if absolute else "./"
    lines = []
    for rel in sorted(entries, key=lambda k: (prefix + k).encode()):
        e = entries[rel]
        lines.append(b"%s %s %s %d %s" % (
            e["type"].encode(), format(e["mode"], "o").encode(),
            e["sum"].encode(), e["size"], (prefix + rel).encode()))
    return b"".join(line + b"\n" for line in lines)


def parse_manifest(text):
    """[(type, perm, sum, size, path)] of a rendered manifest (bytes)."""
    out = []
    for line in text.decode().split("\n")[:-1]:
        t, perm, s, size, path = line.split(" ", 4)
        out.append((t, perm, s, int(size), path))
    return out


def manifest_id(text):
    """The snapshot id of a rendered manifest text (plain BLAKE3)."""
    return b3(text if text else b"\n")
