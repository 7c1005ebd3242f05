# SPDX-License-Identifier: MIT
"""Hand-written hostile manifests placed in a store (pull) or the cache
(checkout): refused before anything is written, nothing lands outside
DEST."""
import os

import pytest

import xferlib as X

PAYLOAD = b"pwned"
OTHER = b"harmless"


def canonical(lines):
    """Entries sorted by path bytes, joined by \\n, one trailing \\n."""
    lines = sorted(lines, key=lambda l: l.split(" ", 4)[4].encode())
    return ("\n".join(lines) + "\n").encode()


def plant(root, text, objects=(PAYLOAD, OTHER)):
    mid = X.b3(text)
    mp = X.manifest_path(root, mid)
    mp.parent.mkdir(parents=True, exist_ok=True)
    mp.write_bytes(text)
    for data in objects:
        op = X.object_path(root, X.b3(data))
        op.parent.mkdir(parents=True, exist_ok=True)
        op.write_bytes(data)
    return mid


def hostile(w, case):
    """(manifest lines, dest setup) for each case."""
    hp, ho = X.b3(PAYLOAD), X.b3(OTHER)
    hd = X.b3(b"dir")
    outside = w.path("outside")
    root = "D 755 %s 0 ./" % hd
    a = "F 644 %s %d ./a.txt" % (ho, len(OTHER))

    def f(path):
        return "F 644 %s %d %s" % (hp, len(PAYLOAD), path)

    def d(path):
        return "D 755 %s 0 %s" % (hd, path)

    def link(rel, target):
        def setup(dest):
            p = dest / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, p)
        return setup

    cases = {
        "dotdot": ([root, a, f("./../escape.txt")], None),
        "dotdot-inner": ([root, a, d("./s/"), f("./s/../../escape.txt")],
                         None),
        "dotdot-dir": ([root, a, d("./../"), f("./../escape.txt")], None),
        "absolute": ([d(str(outside) + "/"), f(str(outside) + "/escape.txt")],
                     None),
        "absolute-mixed": ([root, a, f(str(outside) + "/escape.txt")], None),
        "duplicate": ([root, a, f("./a.txt")], None),
        "duplicate-file-and-dir": ([root, a, d("./x/"), f("./x"),
                                    f("./x/escape.txt")], None),
        "missing-parent": ([root, a, f("./nodir/escape.txt")], None),
        "missing-root": ([d("./s/"), f("./s/escape.txt")], None),
        "file-as-parent": ([root, a, f("./a.txt/escape.txt")], None),
        "symlink-dir": ([root, a, d("./sub/"), f("./sub/escape.txt")],
                        link("sub", str(outside))),
        "symlink-dir-relative": ([root, a, d("./sub/"),
                                  f("./sub/escape.txt")],
                                 link("sub", "../outside")),
        "symlink-nested": ([root, a, d("./d/"), d("./d/in/"),
                            f("./d/in/escape.txt")],
                           link("d/in", str(outside))),
        "symlink-dir-to-file": ([root, a, d("./sub/"), f("./sub/escape.txt")],
                                link("sub", str(outside / "sentinel.txt"))),
    }
    return cases[case]


CASES = ["dotdot", "dotdot-inner", "dotdot-dir", "absolute", "absolute-mixed",
         "duplicate", "duplicate-file-and-dir", "missing-parent",
         "missing-root", "file-as-parent", "symlink-dir",
         "symlink-dir-relative", "symlink-nested", "symlink-dir-to-file"]


def setup_world(w, case):
    outside = X.plain_tree(w.path("outside"), {"sentinel.txt": b"keep me"},
                           dirs=("inner",))
    lines, setup = hostile(w, case)
    text = canonical(lines)
    dest = w.path("dest")
    if setup:
        dest.mkdir()
        setup(dest)
    return outside, text, dest


def no_escape(w):
    hits = []
    for dirpath, dirnames, filenames in os.walk(w.root):
        hits += [os.path.join(dirpath, n) for n in filenames
                 if n.startswith("escape.txt")]
    assert not hits, hits


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("cmd", ["checkout", "pull"])
def test_hostile_manifest_refused(w, sd, case, cmd):
    outside, text, dest = setup_world(w, case)
    tid = plant(w.cache if cmd == "checkout" else w.store, text)
    r = sd.run("id", input=text)
    if r.rc == 0:  # parsable: our id agrees with the CLI's
        assert r.id == tid
    before = {"outside": X.snapshot(outside), "dest": X.snapshot(dest),
              "store": X.snapshot(w.store)}
    if cmd == "checkout":
        r = sd.fail("checkout", "--id", tid, *w.C(), dest)
    else:
        r = sd.fail("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert r.err.startswith("snapdir: "), r
    after = {"outside": X.snapshot(outside), "dest": X.snapshot(dest),
             "store": X.snapshot(w.store)}
    assert after == before
    no_escape(w)
    # --delete changes nothing either, and --dryrun --delete prints nothing
    extra = ["--store", w.uri] if cmd == "pull" else []
    r = sd.fail(cmd, "--delete", *extra, "--id", tid, *w.C(), dest)
    r = sd.run(cmd, "--delete", "--dryrun", *extra, "--id", tid, *w.C(), dest)
    assert r.rc == 1 and b"would delete" not in r.out, r
    assert X.snapshot(outside) == before["outside"]
    assert X.snapshot(dest) == before["dest"]
    no_escape(w)


@pytest.mark.parametrize("target", ["file", "dir"])
def test_symlink_in_dest_is_replaced_not_followed(w, sd, target):
    """A symlink where the snapshot has a file: the link is replaced, its
    target (outside DEST) keeps its bytes."""
    outside = X.plain_tree(w.path("outside"), {"t.txt": b"keep me"})
    src = X.plain_tree(w.path("src"), {"f.txt": PAYLOAD, "g/h.txt": OTHER})
    tid = sd.ok("push", "--store", w.uri, *w.C(), src).id
    dest = w.path("dest")
    dest.mkdir()
    (dest / "g").mkdir()
    tgt = outside / "t.txt" if target == "file" else outside
    os.symlink(tgt, dest / "f.txt")
    os.symlink(tgt, dest / "g" / "h.txt")
    before = X.snapshot(outside)
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert X.snapshot(outside) == before
    assert not os.path.islink(dest / "f.txt")
    assert (dest / "f.txt").read_bytes() == PAYLOAD
    assert (dest / "g/h.txt").read_bytes() == OTHER
    assert sd.id(dest) == tid
