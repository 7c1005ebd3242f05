"""Trees that change while snapdir walks them: the mutator and the checker.

Run as a script, this module is the background mutator:

    python3 fluxlib.py churn ROOT OUTSIDE SEED
    python3 fluxlib.py doomed ROOT OUTSIDE SEED
    python3 fluxlib.py tail FILE SIZE CUT

The checker decides whether a manifest printed while the mutator ran is the
manifest of a state the tree really was in: every file entry must hash a
content the file really had (or, for files rewritten in place, a prefix of
it, which is what a reader sees halfway through a write), directories must
be consistent with their children (size sum, merkle checksum), no unknown
path may appear and no entry that was never removed may be missing.
"""

import os
import random
import shutil
import sys
import time

from sdhelpers import b3_many

MODE_F, MODE_D = 0o644, 0o755


# ---- the trees --------------------------------------------------------------


def churn_model(seed):
    """{"files": {rel: info}, "dirs": {rel: info}} of the churn tree.

    info: contents (list of bytes), mutable, optional (may be absent),
    prefix (partial contents may be observed).
    """
    rnd = random.Random(seed)
    files, dirs = {}, {"": {"optional": False}}

    def add_dir(rel, optional=False):
        dirs[rel] = {"optional": optional}

    def add_file(rel, contents, mutable=False, optional=False):
        files[rel] = {"contents": contents, "mutable": mutable,
                      "optional": optional, "prefix": mutable}

    add_dir("big/")
    # mmapped (>= 256 KiB) and "big" (>= 1 MiB, hashed alone) files whose
    # two versions have the same size, so only content tells them apart
    for i, size in enumerate([300 * 1024, 700 * 1024, 1300 * 1024,
                              3 * 1024 * 1024]):
        a = rnd.randbytes(size)
        b = rnd.randbytes(size)
        add_file("big/f%d.bin" % i, [a, b], mutable=True, optional=True)
    add_file("big/g.bin", [rnd.randbytes(600 * 1024),
                           rnd.randbytes(900 * 1024)],
             mutable=True, optional=True)
    add_file("big/stable.bin", [rnd.randbytes(512 * 1024)])
    add_dir("small/")
    for d in range(12):
        dd = "small/d%02d/" % d
        movable = d >= 10
        add_dir(dd, optional=movable)
        for f in range(25):
            size = rnd.choice([0, 10, 100, 4095, 4096, 5000, 9000, 70000])
            a = rnd.randbytes(size)
            if f % 3 == 0:
                b = rnd.randbytes(rnd.choice([size, size + 1, 3000]))
                add_file(dd + "f%02d" % f, [a, b], mutable=True,
                         optional=True)
            else:
                add_file(dd + "f%02d" % f, [a])
    add_dir("deep/")
    add_dir("deep/a/")
    add_dir("deep/a/b/")
    add_file("deep/a/b/leaf", [b"leaf"])
    return {"files": files, "dirs": dirs}


def doomed_model(seed):
    rnd = random.Random(seed)
    files, dirs = {}, {"": {"optional": False}}
    dirs["keep/"] = {"optional": False}
    for f in range(20):
        files["keep/k%02d" % f] = {"contents": [rnd.randbytes(100 + f)],
                                   "mutable": False, "optional": False,
                                   "prefix": False}
    dirs["doomed/"] = {"optional": True}
    for d in range(30):
        dirs["doomed/s%02d/" % d] = {"optional": True}
        for f in range(40):
            files["doomed/s%02d/x%02d" % (d, f)] = {
                "contents": [rnd.randbytes(rnd.choice([0, 50, 5000]))],
                "mutable": False, "optional": True, "prefix": False}
    return {"files": files, "dirs": dirs}


def materialise(root, model, only=None):
    """Write version 0 of every file (under `only` when given)."""
    for rel in sorted(model["dirs"]):
        if only and not rel.startswith(only):
            continue
        os.makedirs(os.path.join(root, rel), exist_ok=True)
        os.chmod(os.path.join(root, rel), MODE_D)
    for rel, info in model["files"].items():
        if only and not rel.startswith(only):
            continue
        p = os.path.join(root, rel)
        with open(p, "wb") as f:
            f.write(info["contents"][0])
        os.chmod(p, MODE_F)
    os.chmod(root, MODE_D)


# ---- the mutators -----------------------------------------------------------


def _write_new(path, data, outside, tag):
    tmp = os.path.join(outside, "tmp-%s" % tag)
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, MODE_F)
    os.rename(tmp, path)


def mutate_churn(root, outside, seed):
    model = churn_model(seed)
    rnd = random.Random(seed * 7 + 1)
    mutable = sorted(r for r, i in model["files"].items() if i["mutable"])
    big = [r for r in mutable if r.startswith("big/")]
    cur = {r: 0 for r in mutable}
    present = {r: True for r in mutable}
    moved = set()
    movable = sorted(r for r, i in model["dirs"].items() if i["optional"])
    n = 0
    while True:
        n += 1
        if n % 40 == 0 and movable:
            # a directory disappears from the tree and comes back
            d = rnd.choice(movable)
            inside = os.path.join(root, d)
            away = os.path.join(outside, "moved-" + d.strip("/").replace("/", "_"))
            if d in moved:
                os.rename(away, inside)
                moved.discard(d)
            else:
                os.rename(inside, away)
                moved.add(d)
            continue
        rel = rnd.choice(big if rnd.random() < 0.5 else mutable)
        if any(rel.startswith(d) for d in moved):
            continue
        path = os.path.join(root, rel)
        contents = model["files"][rel]["contents"]
        other = 1 - cur[rel]
        op = rnd.choice(["rewrite", "rewrite", "replace", "truncate",
                         "touch", "delete"])
        if not present[rel]:
            op = "replace"
        if op == "rewrite":
            # in place: O_TRUNC then one write (readers may see prefixes)
            with open(path, "r+b") as f:
                f.truncate(0)
                f.write(contents[other])
            cur[rel] = other
        elif op == "replace":
            _write_new(path, contents[other], outside, "r")
            cur[rel], present[rel] = other, True
        elif op == "truncate":
            data = contents[cur[rel]]
            with open(path, "r+b") as f:
                f.truncate(len(data) // 3)
                f.seek(len(data) // 3)
                f.write(data[len(data) // 3:])
        elif op == "touch":
            os.utime(path)
        else:
            os.unlink(path)
            present[rel] = False


def mutate_doomed(root, outside, seed):
    model = doomed_model(seed)
    staging = os.path.join(outside, "staging")
    os.makedirs(staging, exist_ok=True)
    materialise(staging, model, only="doomed/")
    target = os.path.join(root, "doomed")
    n = 0
    while True:
        n += 1
        # delete the directory for real, entry by entry, while walked...
        for sub in sorted(os.listdir(target)):
            for i, name in enumerate(sorted(os.listdir(os.path.join(target, sub)))):
                os.unlink(os.path.join(target, sub, name))
                if i % 8 == 0:
                    time.sleep(0.0002)
            os.rmdir(os.path.join(target, sub))
        os.rmdir(target)
        time.sleep(0.001)
        # ...and bring it back atomically
        fresh = os.path.join(outside, "fresh%d" % n)
        shutil.copytree(os.path.join(staging, "doomed"), fresh)
        os.rename(fresh, target)


def mutate_tail(path, size, cut):
    fd = os.open(path, os.O_RDWR)
    while True:
        os.ftruncate(fd, size - cut)
        time.sleep(0.002)
        os.ftruncate(fd, size)
        time.sleep(0.002)


# ---- the checker ------------------------------------------------------------


class Checker:
    def __init__(self, model):
        self.model = model
        self.sums = {}  # (rel, version, size) -> b3
        want = []
        for rel, info in model["files"].items():
            for v, c in enumerate(info["contents"]):
                want.append(((rel, v, len(c)), c))
        for key, s in zip([k for k, _ in want], b3_many([c for _, c in want])):
            self.sums[key] = s

    def _prefix_sums(self, needed):
        todo = [k for k in needed if k not in self.sums]
        datas = [self.model["files"][r]["contents"][v][:size]
                 for r, v, size in todo]
        for k, s in zip(todo, b3_many(datas)):
            self.sums[k] = s

    def problems(self, text):
        """[] when `text` is a manifest of a state the tree really had."""
        files, dirs = self.model["files"], self.model["dirs"]
        probs = []
        try:
            lines = text.decode().split("\n")
        except UnicodeDecodeError:
            return ["not UTF-8"]
        if not lines or lines[-1] != "":
            return ["no final newline"]
        rows = []
        for line in lines[:-1]:
            parts = line.split(" ", 4)
            if len(parts) != 5 or not parts[4].startswith("./"):
                return ["malformed line %r" % line[:200]]
            t, perm, s, size, path = parts
            rows.append((t, perm, s, int(size), path[2:]))
        paths = [r[4] for r in rows]
        if [p.encode() for p in paths] != sorted(set(p.encode() for p in paths)):
            probs.append("paths not strictly sorted")
        by = {r[4]: r for r in rows}
        if "" not in by:
            return probs + ["no root line"]

        def parent(rel):
            base = rel[:-1] if rel.endswith("/") else rel
            return base.rsplit("/", 1)[0] + "/" if "/" in base else ""

        # every known entry whose parent is listed must be listed too
        for rel, info in list(files.items()) + list(dirs.items()):
            if rel and parent(rel) in by and rel not in by \
                    and not info["optional"]:
                probs.append("missing %s" % rel)
        needed = []
        for t, perm, s, size, rel in rows:
            if rel and parent(rel) not in by:
                probs.append("orphan %s" % rel)
            if t == "D":
                if rel not in dirs:
                    probs.append("unknown directory %s" % rel)
                elif perm != "755":
                    probs.append("bad perms %s %s" % (rel, perm))
                continue
            info = files.get(rel)
            if t != "F" or info is None:
                probs.append("unknown entry %s %s" % (t, rel))
                continue
            if perm != "644":
                probs.append("bad perms %s %s" % (rel, perm))
            for v, c in enumerate(info["contents"]):
                if size == len(c) or (info["prefix"] and size < len(c)):
                    needed.append((rel, v, size))
        self._prefix_sums(needed)
        for t, perm, s, size, rel in rows:
            if t != "F" or rel not in files:
                continue
            info = files[rel]
            ok = any(self.sums.get((rel, v, size)) == s
                     for v in range(len(info["contents"])))
            if not ok:
                probs.append("file %s: size %d, checksum %s is no real state"
                             % (rel, size, s))
        # directories: size = sum of children, checksum = merkle of children
        kids = {}
        for t, perm, s, size, rel in rows:
            if rel:
                kids.setdefault(parent(rel), []).append((s, size))
        dir_rows = [r for r in rows if r[0] == "D"]
        merkle = b3_many([
            "".join(sorted({s for s, _ in kids.get(r[4], [])})).encode()
            for r in dir_rows])
        for r, m in zip(dir_rows, merkle):
            size = sum(sz for _, sz in kids.get(r[4], []))
            if r[3] != size:
                probs.append("dir %s size %d != %d" % (r[4], r[3], size))
            if r[2] != m:
                probs.append("dir %s checksum is not the merkle of its "
                             "children" % r[4])
        return probs


def main(argv):
    os.umask(0o022)
    kind = argv[1]
    if kind == "churn":
        mutate_churn(argv[2], argv[3], int(argv[4]))
    elif kind == "doomed":
        mutate_doomed(argv[2], argv[3], int(argv[4]))
    elif kind == "tail":
        mutate_tail(argv[2], int(argv[3]), int(argv[4]))
    else:
        raise SystemExit("unknown mutator %r" % kind)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main(sys.argv)
