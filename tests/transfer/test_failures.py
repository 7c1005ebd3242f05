# SPDX-License-Identifier: MIT
"""Read-only stores, missing ids and full disks: exit 1 with a message
naming the path or id, and no partial state under final names."""
import os
import random
import shutil
import subprocess

import pytest

import xferlib as X

NOBODY_UID = 65534


def world_readable_tree(w, name, seed, n=40, size=4000):
    rng = random.Random(seed)
    files = {"d%d/f%02d.dat" % (i % 4, i): rng.randbytes(rng.randint(0, size))
             for i in range(n)}
    return X.plain_tree(w.path(name), files)


def nobody_dirs(w):
    """A cache and HOME that uid 65534 may write."""
    out = []
    for n in ("nbcache", "nbhome"):
        p = w.path(n)
        p.mkdir()
        os.chown(p, NOBODY_UID, NOBODY_UID)
        out.append(p)
    return out


def test_push_to_read_only_store_as_nobody(w, sd):
    a = world_readable_tree(w, "a", 1)
    b = world_readable_tree(w, "b", 2)
    ida = sd.ok("push", "--store", w.uri, *w.C(), a).id
    subprocess.run(["chmod", "-R", "a-w", str(w.store)], check=True)
    cache, home = nobody_dirs(w)
    env = {"HOME": str(home), "XDG_CACHE_HOME": None}
    before = X.snapshot(w.store)
    r = sd.fail("push", "--store", w.uri, "--cache-dir", cache, b,
                as_nobody=True, env=env)
    assert str(w.store) in r.err, r
    assert X.snapshot(w.store) == before
    # an already-present snapshot needs no write: it succeeds
    r = sd.ok("push", "--store", w.uri, "--cache-dir", cache, a,
              as_nobody=True, env=env)
    assert r.id == ida
    assert X.snapshot(w.store) == before
    # and a read-only store can be pulled from
    dest = w.path("nbdest")
    dest.mkdir()
    os.chown(dest, NOBODY_UID, NOBODY_UID)
    sd.ok("pull", "--store", w.uri, "--id", ida, "--cache-dir", cache,
          dest / "out", as_nobody=True, env=env)
    assert sd.id(dest / "out") == ida
    sd.ok("verify", "--store", w.uri, "--id", ida, "--cache-dir", cache,
          as_nobody=True, env=env)
    assert X.snapshot(w.store) == before


def test_push_to_read_only_mount(w, sd):
    a = world_readable_tree(w, "a", 3)
    b = world_readable_tree(w, "b", 4)
    ida = sd.ok("push", "--store", w.uri, *w.C(), a).id
    ro = w.bind_ro(w.store, w.path("ro"))
    before = X.snapshot(w.store)
    r = sd.fail("push", "--store", "file://" + str(ro), *w.C(), b)
    assert str(ro) in r.err, r
    assert "Read-only" in r.err or "read-only" in r.err, r
    assert X.snapshot(w.store) == before
    # stage into a read-only cache fails the same way
    sd.ok("stage", *w.C(), a)
    roc = w.bind_ro(w.cache, w.path("rocache"))
    r = sd.fail("stage", "--cache-dir", roc, b)
    assert str(roc) in r.err, r
    # pulling from the read-only mount works
    dest = w.path("dest")
    sd.ok("pull", "--store", "file://" + str(ro), "--id", ida,
          *w.C(w.path("c2")), dest)
    assert sd.id(dest) == ida


def test_missing_id_is_named(w, sd):
    a = world_readable_tree(w, "a", 5, n=5)
    sd.ok("push", "--store", w.uri, *w.C(), a)
    ghost = "0123456789abcdef" * 4
    dest = w.path("dest")
    before = X.snapshot(w.store)
    for args in (("fetch", "--store", w.uri),
                 ("pull", "--store", w.uri, dest),
                 ("verify", "--store", w.uri),
                 ("checkout", dest),
                 ("push", "--store", w.uri)):
        r = sd.fail(*args, "--id", ghost, *w.C(w.path("c2")))
        assert ghost in r.err, r
        assert "not found" in r.err, r
    assert not os.path.lexists(dest)
    assert X.snapshot(w.store) == before
    c2 = w.path("c2")
    assert not (c2 / ".manifests").exists() and not (c2 / ".objects").exists()
    r = sd.fail("checkout", "--id", ghost, *w.C(), dest)
    assert "fetch" in r.err, r
    # a store root that does not exist is not an empty store
    r = sd.fail("fetch", "--store", "file://" + str(w.path("nowhere")),
                "--id", ghost, *w.C())
    assert ghost in r.err or "nowhere" in r.err, r


def test_invalid_store_uri_and_missing_store(w, sd):
    a = world_readable_tree(w, "a", 6, n=3)
    r = sd.fail("push", "--store", str(w.store), *w.C(), a)
    assert "file://" in r.err, r
    r = sd.fail("push", *w.C(), a)
    assert "no store configured" in r.err, r
    assert not w.store.exists()


def test_full_disk_store(w, sd):
    small = w.mount_tmpfs(w.path("small"), "2m")
    rng = random.Random(8)
    files = {"f%02d.bin" % i: rng.randbytes(400 * 1024) for i in range(10)}
    files.update({"s/%d.txt" % i: rng.randbytes(100) for i in range(30)})
    src = X.plain_tree(w.path("src"), files)
    uri = "file://" + str(small / "store")
    r = sd.fail("push", "--store", uri, *w.C(), src)
    assert str(small) in r.err, r
    assert "space" in r.err.lower(), r
    finals, tmps, strays = X.check_objects_named_by_hash(small / "store")
    assert not tmps and not strays, (tmps, strays)
    assert not (small / "store" / ".manifests").exists() or not \
        X.scan_family(small / "store", ".manifests")[0]
    # with room again the same push completes
    for p in list(finals.values())[:3]:
        os.unlink(p)
    subprocess.run(["mount", "-o", "remount,size=8m", str(small)], check=True)
    tid = sd.ok("push", "--store", uri, *w.C(), src).id
    sd.ok("verify", "--store", uri, "--id", tid, *w.C())


def test_full_disk_dest_and_cache(w, sd):
    rng = random.Random(9)
    files = {"f%02d.bin" % i: rng.randbytes(400 * 1024) for i in range(10)}
    src = X.plain_tree(w.path("src"), files)
    tid = sd.ok("push", "--store", w.uri, *w.C(), src).id
    entries = X.parse_manifest(sd.manifest(src))
    # a full destination
    small = w.mount_tmpfs(w.path("small"), "2m")
    dest = small / "dest"
    r = sd.fail("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert str(small) in r.err, r
    X.check_dest_after_kill(dest, src, entries, "full dest")
    leftovers = [n for _, _, fs in os.walk(dest) for n in fs
                 if n.endswith(".tmp")]
    assert not leftovers, leftovers
    # a full cache
    small2 = w.mount_tmpfs(w.path("small2"), "2m")
    cache = small2 / "cache"
    r = sd.fail("fetch", "--store", w.uri, "--id", tid, "--cache-dir", cache)
    assert str(small2) in r.err, r
    finals, tmps, strays = X.check_objects_named_by_hash(cache)
    assert not tmps and not strays, (tmps, strays)
    assert not X.scan_family(cache, ".manifests")[0]
