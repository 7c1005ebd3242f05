# SPDX-License-Identifier: MIT
"""The loop never blocks, calls run in parallel, the GIL is released."""

import asyncio
import threading
import time

import snapdir
import snapdir.snapdir as native
from snapdir import StoreUri

from conftest import many_files


async def test_gather_runs_manifest_and_id_concurrently(tree_a, tree_b):
    ma, ia, mb, ib = await asyncio.gather(
        snapdir.manifest(tree_a),
        snapdir.id(tree_a),
        snapdir.manifest(tree_b),
        snapdir.id(tree_b),
    )
    assert snapdir.id_from_manifest(ma) == ia == await snapdir.id(tree_a)
    assert snapdir.id_from_manifest(mb) == ib == await snapdir.id(tree_b)
    assert ia != ib


async def test_gather_of_many_manifests_all_return(tree_a):
    results = await asyncio.gather(*(snapdir.manifest(tree_a) for _ in range(8)))
    assert len(results) == 8
    assert len({snapdir.id_from_manifest(m) for m in results}) == 1


async def test_gather_of_mixed_operations(tmp_path, tree_a, tree_b):
    s1 = StoreUri("file://" + str(tmp_path / "s1"))
    s2 = StoreUri("file://" + str(tmp_path / "s2"))
    ids = await asyncio.gather(
        snapdir.push(tree_a, s1),
        snapdir.push(tree_b, s2),
        snapdir.push(tree_a, s2),
        snapdir.stage(tree_b),
        snapdir.id(tree_a),
    )
    assert ids[0] == ids[2] == ids[4] and ids[1] == ids[3]
    oks = await asyncio.gather(
        snapdir.verify(ids[0], s1),
        snapdir.verify(ids[1], s2),
        snapdir.pull(ids[0], s1, tmp_path / "p1"),
        snapdir.pull(ids[1], s2, tmp_path / "p2"),
    )
    assert oks[:2] == [True, True]
    assert await snapdir.id(tmp_path / "p1") == ids[0]
    assert await snapdir.id(tmp_path / "p2") == ids[1]


async def test_gathered_calls_overlap_in_time(big_tree):
    """Two walks of a big tree take about as long together as one (2 cores,
    each walk hashing in parallel itself: allow a generous margin)."""
    t0 = time.perf_counter()
    await snapdir.id(big_tree)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    a, b = await asyncio.gather(snapdir.id(big_tree), snapdir.id(big_tree))
    two = time.perf_counter() - t0
    assert a == b
    assert two < 2.6 * one + 0.05, (one, two)


async def test_manifest_runs_off_the_event_loop(tree_5000):
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    try:
        m = await snapdir.manifest(tree_5000)
    finally:
        stop.set()
        await task
    assert len(m.entries) >= 5000
    assert ticks > 10, ticks


async def test_loop_keeps_ticking_on_a_timer_during_a_walk(tree_5000):
    """A 1 ms timer keeps firing while 5,000 files are walked."""
    loop = asyncio.get_running_loop()
    stamps = []
    done = False

    def tick() -> None:
        stamps.append(loop.time())
        if not done:
            loop.call_later(0.001, tick)

    loop.call_soon(tick)
    t0 = loop.time()
    await snapdir.manifest(tree_5000)
    elapsed = loop.time() - t0
    done = True
    await asyncio.sleep(0.01)
    assert len(stamps) > 10
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    # no gap anywhere near the walk's duration: the loop was never blocked
    assert max(gaps) < max(0.25, elapsed / 2), (max(gaps), elapsed)


def test_gil_is_released_while_a_large_tree_is_hashed(big_tree):
    """A plain Python thread keeps counting while the main thread is inside
    the blocking native call."""
    count = 0
    stop = threading.Event()
    started = threading.Event()

    def counter() -> None:
        nonlocal count
        started.set()
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=counter)
    t.start()
    started.wait()
    try:
        before = count
        t0 = time.perf_counter()
        native.id(str(big_tree), False, False, None, None, None)
        elapsed = time.perf_counter() - t0
        during = count - before
    finally:
        stop.set()
        t.join()
    assert elapsed > 0.02, elapsed
    # with the GIL held the counter could not move at all during the call
    assert during > 10_000, (during, elapsed)


async def test_each_gathered_walk_is_self_consistent(tmp_path):
    t1 = many_files(tmp_path / "t1", 3, 40, 1000, seed=1)
    t2 = many_files(tmp_path / "t2", 3, 40, 1000, seed=2)
    m1, i1, m2, i2 = await asyncio.gather(
        snapdir.manifest(t1), snapdir.id(t1), snapdir.manifest(t2), snapdir.id(t2)
    )
    assert snapdir.id_from_manifest(m1) == i1
    assert snapdir.id_from_manifest(m2) == i2
    assert i1 != i2


def test_usable_from_asyncio_run_repeatedly_and_from_threads(tree_a):
    expected = asyncio.run(snapdir.id(tree_a))
    results = []

    def worker() -> None:
        results.append(asyncio.run(snapdir.id(tree_a)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4
