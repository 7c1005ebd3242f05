# SPDX-License-Identifier: MIT
"""Round trips: stage, push, fetch, pull, checkout give back the tree."""
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

import xferlib as X
from conftest import fast_base

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "golden"))
import golden_trees  # noqa: E402


@pytest.mark.parametrize("seed", [11, 22, 33])
def test_random_tree_round_trip(w, sd, seed):
    src = X.random_tree(w.path("src"), seed)
    mbytes = sd.manifest(src)
    tid = sd.id(src)
    assert X.b3(mbytes) == tid

    # stage: the id on stdout, the snapshot in the cache
    r = sd.ok("stage", *w.C(), src)
    assert r.out == (tid + "\n").encode()
    X.check_layout(w.cache, mbytes, src)

    # push: objects and manifest in the store with the exact bytes
    r = sd.ok("push", "--store", w.uri, *w.C(), src)
    assert r.out == (tid + "\n").encode()
    X.check_layout(w.store, mbytes, src)
    r = sd.ok("verify", "--store", w.uri, "--id", tid, *w.C())
    assert r.out == b""

    # fetch into a fresh cache
    c2 = w.path("cache2")
    r = sd.ok("fetch", "--store", w.uri, "--id", tid, *w.C(c2))
    assert r.out == b""
    X.check_layout(c2, mbytes, src)

    # pull into a fresh destination through a third cache
    dest = w.path("dest")
    r = sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(w.path("c3")),
              dest)
    assert r.out == b""
    assert sd.id(dest) == tid
    X.compare_trees(src, dest)

    # checkout from the fetched cache
    dest2 = w.path("dest2")
    r = sd.ok("checkout", "--id", tid, *w.C(c2), dest2)
    assert r.out == b""
    assert sd.id(dest2) == tid
    X.compare_trees(src, dest2)
    # the sources were only read
    assert sd.id(src) == tid


GOLDEN = [t for t in golden_trees.TREES if t != "symlinks"]


@pytest.fixture(scope="module")
def golden(snapdir_bin):
    base = Path(tempfile.mkdtemp(prefix="sdxfer-golden-", dir=fast_base()))
    try:
        trees = {}
        work = base / "work"
        work.mkdir()
        for name in GOLDEN:
            golden_trees.BUILDERS[name](work / name)
            trees[name] = work / name
        yield trees
    finally:
        X.rmtree(base)


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_tree_push_pull(w, sd, golden, name):
    src = golden[name]
    tid = sd.id(src)
    mbytes = sd.manifest(src)
    assert sd.ok("push", "--store", w.uri, *w.C(), src).id == tid
    X.check_layout(w.store, mbytes, src)
    dest = w.path("dest")
    r = sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert r.out == b""
    assert sd.id(dest) == tid
    X.compare_trees(src, dest)


def test_push_id_of_staged_snapshot(w, sd):
    src = X.random_tree(w.path("src"), 5, nfiles=30, big=(1, 1 << 20, 2 << 20))
    mbytes = sd.manifest(src)
    tid = sd.ok("stage", *w.C(), src).id
    # the tree is gone: push --id must take everything from the cache
    keep = w.path("keep")
    shutil.copytree(src, keep, symlinks=True)
    X.rmtree(src)
    r = sd.ok("push", "--store", w.uri, "--id", tid, *w.C())
    assert r.out == (tid + "\n").encode()
    X.check_layout(w.store, mbytes, keep)
    sd.ok("verify", "--store", w.uri, "--id", tid, *w.C())
    dest = w.path("dest")
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(w.path("c2")), dest)
    assert sd.id(dest) == tid
    # cached objects were not touched by the upload
    X.check_layout(w.cache, mbytes, keep)


def test_pull_into_existing_private_dest(w, sd):
    src = X.random_tree(w.path("src"), 7, nfiles=25, big=(0, 0, 0))
    os.chmod(src, 0o755)
    tid = sd.ok("push", "--store", w.uri, *w.C(), src).id
    dest = w.path("dest")
    dest.mkdir(mode=0o700)
    os.chmod(dest, 0o700)
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert os.stat(dest).st_mode & 0o7777 == 0o755
    assert sd.id(dest) == tid
    X.compare_trees(src, dest)


def test_pull_repairs_existing_dest(w, sd):
    src = X.plain_tree(w.path("src"), {"a.txt": b"A" * 100, "d/b.txt": b"B",
                                       "d/e/c.txt": b"C" * 5000})
    tid = sd.ok("push", "--store", w.uri, *w.C(), src).id
    dest = X.plain_tree(w.path("dest"), {"a.txt": b"A" * 99 + b"x",
                                         "d/b.txt": b"stale and longer",
                                         "extra.txt": b"mine"})
    os.chmod(dest / "a.txt", 0o600)
    (dest / "d" / "e").mkdir()
    (dest / "d" / "e" / "c.txt").mkdir()  # a dir where a file belongs
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert (dest / "a.txt").read_bytes() == b"A" * 100
    assert os.stat(dest / "a.txt").st_mode & 0o7777 == 0o644
    assert (dest / "d/b.txt").read_bytes() == b"B"
    assert (dest / "d/e/c.txt").read_bytes() == b"C" * 5000
    # without --delete, extra files are left alone
    assert (dest / "extra.txt").read_bytes() == b"mine"
    os.unlink(dest / "extra.txt")
    assert sd.id(dest) == tid


def test_second_push_copies_nothing(w, sd):
    src = X.random_tree(w.path("src"), 9, nfiles=40, big=(1, 1 << 20, 1 << 20))
    n_objects = len({e.sum for e in X.parse_manifest(sd.manifest(src))
                     if e.type == "F"})
    r = sd.ok("push", "--verbose", "--store", w.uri, *w.C(), src)
    assert re.search(r"\b%d copied\b" % n_objects, r.err), r
    before = X.snapshot(w.store)
    r = sd.ok("push", "--verbose", "--store", w.uri, *w.C(), src)
    assert re.search(r"\b0 copied\b", r.err), r
    assert X.snapshot(w.store) == before
    # a changed tree copies only the new object
    (src / "new file.txt").write_bytes(b"brand new bytes")
    r = sd.ok("push", "--verbose", "--store", w.uri, *w.C(), src)
    assert re.search(r"\b1 copied\b", r.err), r
    # stage twice: the second leaves the cache as it was
    sd.ok("stage", *w.C(), src)
    cache_before = X.snapshot(w.cache / ".objects")
    sd.ok("stage", *w.C(), src)
    assert X.snapshot(w.cache / ".objects") == cache_before


def test_store_uri_forms(w, sd):
    """file://localhost/..., file:/// and a trailing slash name one root."""
    src = X.plain_tree(w.path("src"), {"x": b"x", "y/z": b"zz"})
    tid = sd.id(src)
    mbytes = sd.manifest(src)
    for uri in ("file://localhost" + str(w.store) + "/",
                "file://" + str(w.store) + "/",
                "file:" + str(w.store)):
        sd.ok("push", "--store", uri, *w.C(), src)
        X.check_layout(w.store, mbytes, src)
        sd.ok("verify", "--store", uri, "--id", tid, *w.C())
    assert not os.path.exists(w.path("localhost"))


def test_fetch_fast_path_needs_no_store(w, sd):
    src = X.plain_tree(w.path("src"), {"x": b"x"})
    tid = sd.ok("stage", *w.C(), src).id
    # fully cached: no store needed at all
    r = sd.ok("fetch", "--id", tid, *w.C())
    assert r.out == b""
