# SPDX-License-Identifier: MIT
"""Seeded random directory trees for the conformance test.

Every tree holds, whatever the seed: files at the hashing chunk boundaries
(0 B ... ~3 MiB), duplicate content, empty files and directories, odd modes
(set-id, sticky, 600, 700 ...), unicode and space-containing names, the
`a.txt < a/ < a/x < a0` ordering trap, a directory of more than 200 entries,
symlinks to files and directories (relative, absolute, chains, outside the
root), a dangling link, a cycle of links, loops back to ancestors, a FIFO, a
socket and a hard link. The seed picks names, modes, sizes and contents and
a random nested subtree.
"""
import os
import random
import socket
import stat
from pathlib import Path

BOUNDARY_SIZES = (0, 1, 1023, 1024, 1025, 65535, 65536, 65537, 262143, 262144,
                  262145, 1048575, 1048576, 1048577)
FILE_MODES = (0o644, 0o644, 0o644, 0o600, 0o640, 0o444, 0o755, 0o700, 0o4755,
              0o2755, 0o6755, 0o1644, 0o400)
DIR_MODES = (0o755, 0o755, 0o700, 0o750, 0o1777, 0o2755, 0o555, 0o711)
NAME_PARTS = ("café", "cafe\u0301", "naïve файл", "emoji-\U0001f980", "with space",
              " lead", "trail ", "日本語", "עברית", "-dash", "--dd", ".hidden",
              "Zebra", "apple", "a b c", "x+y&(z)", "line\u2028sep", "10", "2",
              "ß", "Ω", "tab\tname", "semi;colon", "quote'\"", "brace{x}",
              "pct%s", "back\\slash", "star*", "q?", "hash#", "~tilde", "=eq")


class Tree:
    def __init__(self, seed, base):
        self.seed = seed
        self.base = Path(base)
        self.root = self.base / "walkroot"
        self.outside = self.base / "outside"
        self.rng = random.Random(seed)
        self.modes = {}        # path -> mode wanted, applied at the end
        self.contents = []     # contents written so far, for duplicates

    # -- primitives ----------------------------------------------------------

    def name(self, used):
        rng = self.rng
        while True:
            parts = rng.sample(NAME_PARTS, rng.choice((1, 1, 2)))
            n = "-".join(parts)
            if rng.random() < 0.5:
                n += rng.choice((".txt", ".dat", ".bin", ".tmp", "", " "))
            if n not in used and n not in (".", ".."):
                used.add(n)
                return n

    def content(self, size=None):
        rng = self.rng
        if self.contents and size is None and rng.random() < 0.2:
            return rng.choice(self.contents)  # duplicate content
        if size is None:
            size = rng.choice((0, 0, 1, 2, 7, 100, 511, 4096, 5000))
        data = rng.randbytes(size)
        if size <= 70000:
            self.contents.append(data)
        return data

    def file(self, path, data=None, mode=None):
        with open(path, "wb") as fh:
            fh.write(self.content() if data is None else data)
        self.modes[path] = self.rng.choice(FILE_MODES) if mode is None else mode

    def dir(self, path, mode=None):
        os.mkdir(path)
        self.modes[path] = self.rng.choice(DIR_MODES) if mode is None else mode

    def link(self, target, path):
        os.symlink(target, path)

    # -- the tree ------------------------------------------------------------

    def build(self):
        rng = self.rng
        self.base.mkdir(parents=True, exist_ok=True)
        r = self.root
        self.dir(r, 0o755)

        # outside the root: link targets that are followed into
        self.dir(self.outside, 0o755)
        self.file(self.outside / "far.txt", b"far away\n", 0o644)
        self.dir(self.outside / "sub", 0o750)
        self.file(self.outside / "sub/deep.bin", self.content(300), 0o600)

        # sort-order trap: ./a- < ./a.txt < ./a/ < ./a/x < ./a0
        self.dir(r / "a")
        self.file(r / "a/x")
        self.file(r / "a.txt")
        self.file(r / "a0")
        self.file(r / "a-")
        self.file(r / "a b")

        # chunk-boundary sizes and a ~3 MiB file, some duplicated
        sizes = r / "sizes"
        self.dir(sizes, 0o755)
        big = [3 * 1024 * 1024 + rng.randrange(0, 4096)]
        for size in BOUNDARY_SIZES + tuple(big):
            self.file(sizes / f"s{size}", self.content(size))
        for size in rng.sample(BOUNDARY_SIZES, 4):
            data = (sizes / f"s{size}").read_bytes()
            self.file(sizes / f"dup-of-{size}", data)
        os.link(sizes / "s1", r / "hardlink-to-s1")

        # empty things, odd directory modes
        self.dir(r / "empty-dir")
        self.dir(r / "sticky-empty", 0o1777)
        self.dir(r / "private-dir", 0o700)
        self.file(r / "private-dir/secret", b"", 0o600)
        self.file(r / "private-dir/also-empty", b"", 0o640)
        self.file(r / "setuid", b"u", 0o4755)
        self.file(r / "setgid", b"g", 0o2755)
        if os.geteuid() == 0:
            self.file(r / "mode-zero", b"no permissions", 0o000)

        # a directory big enough to be split in several hashing chunks
        self.build_big_dir(r / "big")

        # a random nested subtree
        self.build_random(r / "nest", depth=0)

        # exclude targets
        self.dir(r / "skipdir")
        self.file(r / "skipdir/inside.txt")
        self.dir(r / "skipdir/deeper")
        self.file(r / "skipdir/deeper/x.dat")
        self.dir(r / "keep")
        self.dir(r / "keep/skipdir-not")
        self.file(r / "keep/skipdir-not/y.txt")
        self.file(r / "keep/note.tmp")
        self.dir(r / ".git", 0o755)
        self.file(r / ".git/HEAD", b"ref: refs/heads/main\n", 0o644)
        self.dir(r / "node_modules")
        self.file(r / "node_modules/index.js", b"module.exports = 1;\n")
        self.file(r / "git-not.txt")

        # special files
        os.mkfifo(r / "fifo")
        self.make_socket(r, "sock")

        # symlinks
        L = r / "links"
        self.dir(L, 0o755)
        self.link("../sizes/s1023", L / "to-file")
        self.link(str(r / "a.txt"), L / "to-file-abs")
        self.link("../a", L / "to-dir")
        self.link("chain-2", L / "chain-1")
        self.link("chain-3", L / "chain-2")
        self.link("../sizes/s65537", L / "chain-3")
        self.link("dchain-2", L / "dchain-1")
        self.link("../private-dir", L / "dchain-2")
        self.link("./does-not-exist", L / "dangling")
        self.link("cycle-b", L / "cycle-a")
        self.link("cycle-a", L / "cycle-b")
        self.link("..", L / "loop-to-root")
        self.link(".", L / "loop-to-self")
        self.link("../fifo", L / "to-fifo")
        self.link("../sock", L / "to-sock")
        self.link(str(self.outside), L / "outside-dir")
        self.link(str(self.outside / "far.txt"), L / "outside-file")
        self.link("../empty-dir", L / "to-empty-dir")
        self.link("../nest", L / "to-nest")    # nest holds a loop link too
        self.link("../a.txt/nope", L / "through-file")  # ENOTDIR
        self.dir(r / "only-dangling")
        self.link("gone", r / "only-dangling/dead")
        self.link("../big", r / "nest/up-big")
        self.link("..", r / "nest/up-root")    # loop, also via links/to-nest
        self.link("../sizes", r / "a/sizes-link")

        # modes last, deepest first, so read-only dirs can still be filled
        for path in sorted(self.modes, key=lambda p: -len(p.parts)):
            os.chmod(path, self.modes[path])
        for path, mode in self.modes.items():
            got = stat.S_IMODE(os.lstat(path).st_mode)
            if got != mode:
                raise AssertionError(
                    f"seed {self.seed}: chmod {mode:o} {path} left {got:o} "
                    "(the kernel or mount strips this bit)")
        return self

    def build_big_dir(self, d):
        rng = self.rng
        self.dir(d, 0o755)
        used = set()
        count = 200 + rng.randrange(1, 90)
        for i in range(count):
            kind = rng.random()
            name = f"f{i:03d}" if rng.random() < 0.7 else self.name(used)
            p = d / name
            if kind < 0.06:
                self.dir(p)
                if rng.random() < 0.5:
                    self.file(p / "inner")
            elif kind < 0.10:
                self.link(rng.choice(("../a.txt", "f000", "../sizes", "nowhere")), p)
            else:
                self.file(p)
        # files at least 1 MiB are hashed on their own, among the small ones
        self.file(d / "f050-big", self.content(1048576 + rng.randrange(0, 3)))
        self.file(d / "f100-big", self.content(1048575))
        self.file(d / "f000-empty", b"")

    def build_random(self, d, depth):
        rng = self.rng
        self.dir(d, 0o755 if depth == 0 else None)
        used = set()
        for _ in range(rng.randrange(0, 7)):
            self.file(d / self.name(used))
        if depth < 4:
            for _ in range(rng.randrange(1 if depth == 0 else 0, 4)):
                self.build_random(d / self.name(used), depth + 1)

    def make_socket(self, d, name):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.getcwd()
        try:
            os.chdir(d)
            s.bind(name)
        finally:
            os.chdir(old)
            s.close()


def build(seed, base):
    return Tree(seed, base).build()
