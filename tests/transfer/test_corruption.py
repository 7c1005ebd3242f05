# SPDX-License-Identifier: MIT
"""Corrupt, truncated and missing objects in a store or the cache: every
read is re-hashed, errors name the object, nothing unverified is used."""
import os
import re

import pytest

import xferlib as X

FILES = {
    "a.txt": b"hello",
    "d/victim file.bin": bytes(range(256)) * 600,
    "d/e/other.txt": b"other bytes\n" * 50,
    "z.txt": b"",
}
VICTIM = "d/victim file.bin"


def damage(path, how):
    if how == "corrupt":  # same size, one byte flipped
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        os.chmod(path, 0o644)
        path.write_bytes(bytes(data))
    elif how == "truncated":
        os.chmod(path, 0o644)
        os.truncate(path, os.path.getsize(path) // 3)
    elif how == "extended":
        os.chmod(path, 0o644)
        with open(path, "ab") as f:
            f.write(b"trailing garbage")
    elif how == "missing":
        os.unlink(path)
    elif how == "emptied":
        os.chmod(path, 0o644)
        os.truncate(path, 0)
    else:
        raise AssertionError(how)


@pytest.fixture
def pushed(w, sd):
    src = X.plain_tree(w.path("src"), FILES)
    tid = sd.ok("push", "--store", w.uri, *w.C(), src).id
    vsum = X.files_of(X.parse_manifest(sd.manifest(src)))[VICTIM].sum
    return src, tid, vsum


def assert_cache_clean(cache, vsum, tid):
    """No object with wrong bytes, the victim absent, no manifest."""
    finals, tmps, strays = X.check_objects_named_by_hash(cache)
    assert vsum not in finals
    assert not tmps and not strays, (tmps, strays)
    assert not X.manifest_path(cache, tid).exists()


def assert_problem_named(r, how, vsum):
    assert vsum in r.err, r
    if how == "missing":
        assert "not found" in r.err, r
    else:
        assert re.search(r"integrity|mismatch", r.err, re.I), r


HOWS = ["corrupt", "truncated", "extended", "emptied", "missing"]


@pytest.mark.parametrize("how", HOWS)
def test_verify_names_damaged_object(w, sd, pushed, how):
    src, tid, vsum = pushed
    damage(X.object_path(w.store, vsum), how)
    r = sd.fail("verify", "--store", w.uri, "--id", tid, *w.C())
    lines = r.err.splitlines()
    if how == "missing":
        assert "Missing object %s for ./%s" % (vsum, VICTIM) in lines, r
    else:
        assert any(l.startswith("Checksum mismatch for %s" % vsum)
                   for l in lines), r
        assert VICTIM in r.err, r
    # only the damaged object is reported
    assert len([l for l in lines if re.match(r"(Missing object|Checksum "
                                             r"mismatch) ", l)]) == 1, r
    # verify never touches the cache
    assert not (w.cache / ".objects").exists()


@pytest.mark.parametrize("how", HOWS)
def test_fetch_refuses_damaged_object(w, sd, pushed, how):
    src, tid, vsum = pushed
    damage(X.object_path(w.store, vsum), how)
    r = sd.fail("fetch", "--store", w.uri, "--id", tid, *w.C())
    assert_problem_named(r, how, vsum)
    assert_cache_clean(w.cache, vsum, tid)


@pytest.mark.parametrize("how", HOWS)
def test_pull_refuses_damaged_object(w, sd, pushed, how):
    src, tid, vsum = pushed
    damage(X.object_path(w.store, vsum), how)
    dest = w.path("dest")
    r = sd.fail("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert_problem_named(r, how, vsum)
    assert_cache_clean(w.cache, vsum, tid)
    assert not os.path.lexists(dest / VICTIM)
    X.check_dest_after_kill(dest, src, X.parse_manifest(sd.manifest(src)),
                            "pull of a damaged store")
    # once the store is repaired, the same pull succeeds
    X.rmtree(w.store)
    sd.ok("push", "--store", w.uri, *w.C(w.path("c2")), src)
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert sd.id(dest) == tid


def test_damaged_manifest_in_store(w, sd, pushed):
    src, tid, vsum = pushed
    mp = X.manifest_path(w.store, tid)
    text = mp.read_bytes()
    mp.write_bytes(text.replace(b"F 644", b"F 600", 1))
    dest = w.path("dest")
    for args in (("fetch",), ("pull", dest), ("verify",)):
        r = sd.fail(*args, "--store", w.uri, "--id", tid, *w.C())
        assert tid in r.err, r
        assert re.search(r"integrity|mismatch", r.err, re.I), r
    assert not os.path.lexists(dest)
    assert not (w.cache / ".objects").exists()
    assert not (w.cache / ".manifests").exists()


def test_manifest_with_comments_still_verifies(w, sd, pushed):
    """stores.md section 0: comments and blank lines are dropped on parse."""
    src, tid, vsum = pushed
    mp = X.manifest_path(w.store, tid)
    mp.write_bytes(b"# a comment\n\n" + mp.read_bytes() + b"# trailer\n")
    sd.ok("verify", "--store", w.uri, "--id", tid, *w.C())
    dest = w.path("dest")
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert sd.id(dest) == tid


@pytest.mark.parametrize("how", ["corrupt", "truncated", "emptied"])
def test_verify_cache_counts_and_purges(w, sd, how):
    src = X.plain_tree(w.path("src"), FILES)
    tid = sd.ok("stage", *w.C(), src).id
    vsum = X.files_of(X.parse_manifest(sd.manifest(src)))[VICTIM].sum
    r = sd.ok("verify-cache", *w.C())
    assert r.out == b"" and r.err == "", r
    vpath = X.object_path(w.cache, vsum)
    damage(vpath, how)

    r = sd.fail("verify-cache", *w.C())
    lines = r.err.splitlines()
    assert "Checksum mismatch for %s" % vsum in lines, r
    assert lines[-1] == "snapdir: 1 corrupt + 0 missing object(s) in the cache"
    assert vpath.exists()

    r = sd.fail("verify-cache", "--purge", "--dryrun", *w.C())
    assert "1 corrupt" in r.err and vpath.exists(), r

    r = sd.fail("verify-cache", "--purge", "--verbose", *w.C())
    lines = r.err.splitlines()
    assert "Checksum mismatch for %s" % vsum in lines, r
    assert "purged %s" % vsum in lines, r
    assert "Missing object %s for ./%s" % (vsum, VICTIM) in lines, r
    assert lines[-1] == "snapdir: 1 corrupt + 1 missing object(s) in the cache"
    assert not vpath.exists()
    # the other objects were kept
    X.check_objects_named_by_hash(w.cache)
    assert len(X.scan_family(w.cache, ".objects")[0]) == 3

    r = sd.fail("verify-cache", *w.C())
    assert r.err.splitlines()[-1] == (
        "snapdir: 0 corrupt + 1 missing object(s) in the cache"), r
    r = sd.fail("verify-cache", "--id", tid, *w.C())
    assert "Missing object %s for ./%s" % (vsum, VICTIM) in r.err, r


def test_fetch_heals_cache_missing_an_object(w, sd, pushed):
    src, tid, vsum = pushed
    sd.ok("fetch", "--store", w.uri, "--id", tid, *w.C())
    vpath = X.object_path(w.cache, vsum)
    os.unlink(vpath)
    sd.fail("verify-cache", *w.C(), needles=["Missing object %s" % vsum])
    # checkout refuses, naming the path and the count
    dest = w.path("dest")
    sd.fail("checkout", "--id", tid, *w.C(), dest,
            needles=[vsum, VICTIM, "1 object(s)"])
    assert not os.path.lexists(dest / VICTIM)
    r = sd.ok("fetch", "--store", w.uri, "--id", tid, *w.C())
    assert r.out == b""
    assert vpath.read_bytes() == (src / VICTIM).read_bytes()
    sd.ok("verify-cache", *w.C())
    # pull heals too
    os.unlink(vpath)
    sd.ok("pull", "--store", w.uri, "--id", tid, *w.C(), dest)
    assert sd.id(dest) == tid
    sd.ok("verify-cache", *w.C())


@pytest.mark.parametrize("how", ["corrupt", "truncated", "extended"])
@pytest.mark.parametrize("linked", [False, True])
def test_checkout_from_damaged_cache(w, sd, how, linked):
    src = X.plain_tree(w.path("src"), FILES)
    tid = sd.ok("stage", *w.C(), src).id
    vsum = X.files_of(X.parse_manifest(sd.manifest(src)))[VICTIM].sum
    damage(X.object_path(w.cache, vsum), how)
    dest = w.path("dest")
    extra = ["--linked"] if linked else []
    r = sd.fail("checkout", *extra, "--id", tid, *w.C(), dest)
    assert vsum in r.err, r
    assert re.search(r"integrity|mismatch", r.err, re.I), r
    assert not os.path.lexists(dest / VICTIM)
    if not linked:
        X.check_dest_after_kill(dest, src, X.parse_manifest(sd.manifest(src)),
                                "checkout of a damaged cache")
    # and through pull (the cache looks complete, so it is used)
    dest2 = w.path("dest2")
    r = sd.fail("pull", *extra, "--store", w.uri, "--id", tid, *w.C(),
                dest2)
    assert not os.path.lexists(dest2 / VICTIM)
