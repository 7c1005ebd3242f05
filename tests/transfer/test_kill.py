# SPDX-License-Identifier: MIT
"""SIGKILL during push, pull and checkout never leaves wrong bytes under a
final name: objects are named by their hash, a manifest implies its
objects, a destination file under its own name has its snapshot bytes."""
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import pytest

import xferlib as X
from conftest import make_world

KILL_BASE = None  # tmpfs when there is room (see conftest.fast_base)


@pytest.fixture(scope="module")
def big(snapdir_bin):
    """A tree of many small files and a few big ones, pushed once to a
    reference store and fetched once into a reference cache."""
    world = make_world(snapdir_bin, "sdxfer-kill-", KILL_BASE)
    sd = world.sd
    rng = random.Random(20260624)
    src = world.path("src")
    src.mkdir()
    blobs = [rng.randbytes(rng.randint(1, 8192)) for _ in range(300)]
    for d in range(24):
        sub = src / ("dir %02d" % d)
        sub.mkdir()
        for f in range(100):
            data = rng.choice(blobs) if f % 3 == 0 else rng.randbytes(
                rng.randint(0, 8192))
            X.write_file(sub / ("f%03d.dat" % f), data)
    for i in range(4):
        X.write_file(src / ("big-%d.bin" % i), rng.randbytes(12 << 20))
    X.write_file(src / "big-dup.bin", (src / "big-0.bin").read_bytes())
    mbytes = sd.manifest(src)
    entries = X.parse_manifest(mbytes)
    tid = X.b3(mbytes)

    def timed(*args):
        t = time.monotonic()
        sd.ok(*args)
        return time.monotonic() - t

    t_push = timed("push", "--store", world.uri, *world.C(), src)
    t_pull = timed("pull", "--store", world.uri, "--id", tid, *world.C(),
                   world.path("d1"))
    t_co = timed("checkout", "--id", tid, *world.C(), world.path("d2"))
    X.rmtree(world.path("d1"))
    X.rmtree(world.path("d2"))
    info = dict(world=world, src=src, mbytes=mbytes, entries=entries,
                id=tid, t_push=t_push, t_pull=t_pull, t_co=t_co,
                big_sums=sorted({e.sum for e in entries
                                 if e.type == "F" and e.size > 1 << 20}))
    yield info
    world.teardown()


@pytest.fixture
def kw(snapdir_bin):
    world = make_world(snapdir_bin, "sdxfer-kill-", KILL_BASE)
    yield world
    world.teardown()


def run_and_kill(proc, delay):
    time.sleep(delay)
    finished = proc.poll() is not None
    X.kill(proc)
    return finished


def kill_on_tmp(proc, dirs, timeout=60):
    """SIGKILL as soon as a temporary file shows up in one of dirs."""
    deadline = time.monotonic() + timeout
    seen = False
    while proc.poll() is None and time.monotonic() < deadline:
        for d in dirs:
            try:
                if any(n.endswith(".tmp") for n in os.listdir(d)):
                    seen = True
                    break
            except OSError:
                pass
        if seen:
            break
    X.kill(proc)
    return seen


def check_store_after_kill(root, big, label):
    finals, tmps, strays = X.check_objects_named_by_hash(root)
    assert not strays, strays
    ids = X.check_manifests_complete(root)
    assert ids in ([], [big["id"]]), ids
    mt = X.scan_family(root, ".manifests")[1]
    X.note_leftovers(label, tmps + mt)
    return ids


@pytest.mark.parametrize("seed", range(6))
def test_kill_during_push(kw, big, seed):
    sd = kw.sd
    rng = random.Random(seed)
    delay = rng.uniform(0.0, 1.1) * big["t_push"]
    proc = sd.popen("push", "--store", kw.uri, *kw.C(), big["src"])
    run_and_kill(proc, delay)
    check_store_after_kill(kw.store, big, "push seed %d" % seed)
    # a re-run completes and the store verifies
    assert sd.ok("push", "--store", kw.uri, *kw.C(), big["src"]).id == big["id"]
    sd.ok("verify", "--store", kw.uri, "--id", big["id"], *kw.C())
    X.check_layout(kw.store, big["mbytes"], big["src"], tmp_ok=True)


@pytest.mark.parametrize("jobs", [1, 4])
def test_kill_push_while_writing_a_big_object(kw, big, jobs):
    sd = kw.sd
    dirs = [X.object_path(kw.store, s).parent for s in big["big_sums"]]
    proc = sd.popen("push", "--jobs", jobs, "--store", kw.uri, *kw.C(),
                    big["src"])
    kill_on_tmp(proc, dirs)
    check_store_after_kill(kw.store, big, "push on tmp, jobs %d" % jobs)
    assert sd.ok("push", "--store", kw.uri, *kw.C(), big["src"]).id == big["id"]
    sd.ok("verify", "--store", kw.uri, "--id", big["id"], *kw.C())


def check_dest_and_finish(sd, kw, big, dest, cache, label, pull):
    X.check_dest_after_kill(dest, big["src"], big["entries"], label)
    # the cache holds only verified objects and complete manifests
    check_store_after_kill(cache, big, label + " (cache)")
    ref = big["world"]
    if pull:
        sd.ok("pull", "--store", ref.uri, "--id", big["id"], *kw.C(cache),
              dest)
    else:
        sd.ok("checkout", "--id", big["id"], *kw.C(cache), dest)
    for rel, e in X.files_of(big["entries"]).items():
        assert (dest / rel).read_bytes() == (big["src"] / rel).read_bytes()
    # leftover temporaries are not snapshot content: --delete prunes them
    sd.ok("checkout", "--delete", "--id", big["id"], *kw.C(cache), dest)
    assert sd.id(dest) == big["id"]


@pytest.mark.parametrize("seed", range(5))
def test_kill_during_pull(kw, big, seed):
    sd = kw.sd
    ref = big["world"]
    rng = random.Random(100 + seed)
    delay = rng.uniform(0.0, 1.1) * big["t_pull"]
    dest = kw.path("dest")
    proc = sd.popen("pull", "--store", ref.uri, "--id", big["id"], *kw.C(),
                    dest)
    run_and_kill(proc, delay)
    check_dest_and_finish(sd, kw, big, dest, kw.cache, "pull seed %d" % seed,
                          True)


@pytest.mark.parametrize("seed", range(4))
def test_kill_during_checkout(kw, big, seed):
    sd = kw.sd
    ref = big["world"]
    rng = random.Random(200 + seed)
    delay = rng.uniform(0.0, 1.1) * big["t_co"]
    dest = kw.path("dest")
    proc = sd.popen("checkout", "--id", big["id"], *kw.C(ref.cache), dest)
    run_and_kill(proc, delay)
    check_dest_and_finish(sd, kw, big, dest, ref.cache,
                          "checkout seed %d" % seed, False)


def test_kill_checkout_while_writing_a_big_file(kw, big):
    sd = kw.sd
    ref = big["world"]
    dest = kw.path("dest")
    proc = sd.popen("checkout", "--jobs", 1, "--id", big["id"],
                    *kw.C(ref.cache), dest)
    kill_on_tmp(proc, [dest])
    check_dest_and_finish(sd, kw, big, dest, ref.cache, "checkout on tmp",
                          False)
