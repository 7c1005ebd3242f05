# SPDX-License-Identifier: MIT
"""Concurrent pushes, pulls and stages on one store or cache all succeed
and leave a consistent store, cache and catalog."""
import json
import random

import pytest

import xferlib as X


def overlapping_trees(w, seed, n=3, files=300):
    """n trees sharing most objects (same bytes, often other paths)."""
    rng = random.Random(seed)
    shared = [rng.randbytes(rng.randint(0, 6000)) for _ in range(files)]
    big = rng.randbytes(6 << 20)
    trees = []
    for t in range(n):
        files_ = {}
        for i, data in enumerate(shared):
            if rng.random() < 0.8:
                files_["d%d/f%03d.dat" % (i % 7, i if t == 0 else
                                          (i * (t + 3)) % files)] = data
        for i in range(20):
            files_["own/%d-%d.bin" % (t, i)] = rng.randbytes(3000)
        files_["big.bin"] = big
        files_["big copy %d.bin" % t] = big
        trees.append(X.plain_tree(w.path("src%d" % t), files_))
    return trees


def verify_every_manifest(sd, w, store):
    ids = X.check_manifests_complete(store)
    for mid in ids:
        sd.ok("verify", "--store", "file://" + str(store), "--id", mid,
              *w.C())
    X.check_objects_named_by_hash(store)
    return ids


@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_pushes_one_store(w, sd, seed):
    trees = overlapping_trees(w, seed)
    ids = [sd.id(t) for t in trees]
    procs = [sd.popen("push", "--store", w.uri, *w.C(), t) for t in trees]
    results = [X.finish(p) for p in procs]
    for r, tid in zip(results, ids):
        assert r.rc == 0, r
        assert r.id == tid
    assert sorted(verify_every_manifest(sd, w, w.store)) == sorted(ids)
    for t in trees:
        X.check_layout(w.store, sd.manifest(t), t, exact=False)
    # both pushes recorded their event in the shared catalog
    rows = [json.loads(l) for l in
            sd.ok("revisions", "--location", w.uri, *w.C()).out.splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(ids), rows


def test_push_during_pull(w, sd):
    a, b, c = overlapping_trees(w, 7)
    ida = sd.ok("push", "--store", w.uri, *w.C(), a).id
    dest = w.path("dest")
    pull = sd.popen("pull", "--store", w.uri, "--id", ida,
                    *w.C(w.path("pullcache")), dest)
    push_b = sd.popen("push", "--store", w.uri, *w.C(), b)
    push_c = sd.popen("push", "--store", w.uri, *w.C(w.path("other")), c)
    for p in (pull, push_b, push_c):
        r = X.finish(p)
        assert r.rc == 0, r
    assert sd.id(dest) == ida
    X.compare_trees(a, dest)
    ids = verify_every_manifest(sd, w, w.store)
    assert sorted(ids) == sorted([ida, sd.id(b), sd.id(c)])


def test_concurrent_pulls_share_a_cache(w, sd):
    a, b = overlapping_trees(w, 9, n=2)
    ida = sd.ok("push", "--store", w.uri, *w.C(w.path("pc")), a).id
    idb = sd.ok("push", "--store", w.uri, *w.C(w.path("pc")), b).id
    procs = [sd.popen("pull", "--store", w.uri, "--id", i, *w.C(),
                      w.path("dest%d" % n))
             for n, i in enumerate((ida, idb, ida))]
    for p in procs:
        r = X.finish(p)
        assert r.rc == 0, r
    for n, i in enumerate((ida, idb, ida)):
        assert sd.id(w.path("dest%d" % n)) == i
    sd.ok("verify-cache", *w.C())


def test_concurrent_stages_record_catalog_events(w, sd):
    trees = overlapping_trees(w, 3, n=6, files=60)
    history = {str(t): [] for t in trees}
    for rnd in range(3):
        for t in trees:
            (t / "round.txt").write_bytes(b"round %d" % rnd)
        ids = [sd.id(t) for t in trees]
        procs = [sd.popen("stage", *w.C(), t) for t in trees]
        for p, t, tid in zip(procs, trees, ids):
            r = X.finish(p)
            assert r.rc == 0, r
            assert r.id == tid
            history[str(t)].append(tid)
    sd.ok("verify-cache", *w.C())
    rows = [json.loads(l) for l in
            sd.ok("locations", *w.C()).out.splitlines()]
    assert [r["location"] for r in rows] == sorted(history), rows
    assert {r["location"]: r["id"] for r in rows} == {
        loc: h[-1] for loc, h in history.items()}
    for loc, h in history.items():
        rows = [json.loads(l) for l in sd.ok(
            "revisions", "--location", loc, *w.C()).out.splitlines()]
        assert [(r["id"], r["previous_id"]) for r in rows] == [
            (h[2], h[1]), (h[1], h[0]), (h[0], None)], rows
        rows = [json.loads(l) for l in sd.ok(
            "ancestors", "--id", h[2], *w.C()).out.splitlines()]
        assert [(r["id"], r["location"]) for r in rows] == [(h[1], loc)]
