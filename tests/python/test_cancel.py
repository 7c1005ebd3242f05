# SPDX-License-Identifier: MIT
"""Cancelling the awaiting task really stops the C work, promptly, and leaves
no partial state under final names (stores, caches, destinations)."""

import asyncio
import os
import time
from pathlib import Path

import pytest

import snapdir
from snapdir import SnapshotId, StoreUri

from conftest import sha_tree

TOTAL_FILES = 2000  # transfer_tree: 20 x 100 files of 8 KiB


def files_under(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def temp_files(root: Path) -> list[Path]:
    return [p for p in files_under(root) if p.name.endswith(".tmp")]


@pytest.fixture
def sparse_tree(tmp_path: Path) -> Path:
    """A 2 GiB sparse file: hashing it takes seconds, creating it nothing."""
    root = tmp_path / "sparse"
    root.mkdir()
    with open(root / "huge.bin", "wb") as f:
        f.truncate(2 << 30)
    (root / "small.txt").write_bytes(b"x")
    return root


def has_files(root: Path) -> bool:
    """Whether a file (not a temporary) exists under root yet."""
    for _dirpath, _dirs, files in os.walk(root):
        if any(not f.endswith(".tmp") for f in files):
            return True
    return False


async def run_cancelled_midway(coro_factory, target: Path):
    """Start coro_factory(progress) and cancel its task from the progress
    callback at the first report after something landed under `target` (the
    store, cache or destination being written), whichever phase the library
    moves objects in. Returns (report, seconds from the cancel request to the
    task's end)."""
    loop = asyncio.get_running_loop()
    state: dict[str, object] = {}
    task: asyncio.Future[object]

    def progress(p: snapdir.Progress) -> None:
        if "report" not in state and has_files(target):
            state["report"] = p
            state["t"] = time.perf_counter()
            loop.call_soon_threadsafe(task.cancel)

    task = asyncio.ensure_future(coro_factory(progress))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert "report" in state, "the operation ended before it could be cancelled"
    return state["report"], time.perf_counter() - state["t"]  # type: ignore[operator]


async def test_cancel_mid_walk_stops_promptly(sparse_tree):
    task = asyncio.ensure_future(snapdir.id(sparse_tree))
    await asyncio.sleep(0.2)
    assert not task.done()
    t0 = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - t0 < 1.0
    # and the library is fine afterwards
    assert len(await snapdir.id(sparse_tree.parent / "sparse", exclude=["huge"])) == 64


async def test_wait_for_timeout_cancels_the_c_call(sparse_tree):
    t0 = time.perf_counter()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(snapdir.manifest(sparse_tree), 0.2)
    assert time.perf_counter() - t0 < 1.5


async def test_cancel_waits_for_the_c_call_to_return(sparse_tree, monkeypatch):
    """When CancelledError reaches the awaiting code, the worker is idle
    again: the CancelFlag was set and the call has returned."""
    import snapdir.snapdir as native

    flags = []
    real = native.CancelFlag

    def recording_flag():
        flags.append(real())
        return flags[-1]

    monkeypatch.setattr(native, "CancelFlag", recording_flag)
    task = asyncio.ensure_future(snapdir.id(sparse_tree))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(flags) == 1 and flags[0].is_set
    # the default executor has a free worker right away: the call returned
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    await loop.run_in_executor(None, lambda: None)
    assert time.perf_counter() - t0 < 0.5


async def test_cancelling_twice_still_ends_cancelled(sparse_tree):
    task = asyncio.ensure_future(snapdir.id(sparse_tree))
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancel_mid_push_leaves_a_consistent_store(tmp_path, transfer_tree, cli):
    root = tmp_path / "store"
    store = StoreUri("file://" + str(root))
    report, latency = await run_cancelled_midway(
        lambda progress: snapdir.push(transfer_tree, store, progress=progress), root / ".objects"
    )
    assert latency < 2.0, latency
    objects = [p for p in files_under(root / ".objects") if not p.name.endswith(".tmp")]
    # it really stopped in the middle
    assert 0 < len(objects) < TOTAL_FILES, (len(objects), report)
    # the C call is over: nothing moves any more
    time.sleep(0.3)
    assert len(files_under(root / ".objects")) == len(files_under(root / ".objects"))
    count = len(files_under(root))
    time.sleep(0.2)
    assert len(files_under(root)) == count
    # no manifest without its objects (the manifest is written last)
    manifests = files_under(root / ".manifests")
    sid = await snapdir.id(transfer_tree)
    for m in manifests:
        cli.run("verify", "--store", store, "--id", sid)
    assert not manifests
    assert temp_files(root) == []
    # every object under a final name is complete: pushing again skips them,
    # and the result verifies
    assert await snapdir.push(transfer_tree, store) == sid
    assert await snapdir.verify(sid, store) is True
    cli.run("verify", "--store", store, "--id", sid)


async def test_cancel_mid_pull_leaves_a_consistent_cache(
    tmp_path, transfer_tree, cache_dir, cli, monkeypatch
):
    store = StoreUri("file://" + str(tmp_path / "store"))
    sid = SnapshotId(await snapdir.push(transfer_tree, store))
    expected = sha_tree(transfer_tree)

    # cancelled while fetching into a fresh cache
    fresh = tmp_path / "cache-fetch"
    monkeypatch.setenv("SNAPDIR_CACHE_DIR", str(fresh))
    dest = tmp_path / "dest1"
    _r, latency = await run_cancelled_midway(
        lambda progress: snapdir.pull(sid, store, dest, progress=progress), fresh / ".objects"
    )
    assert latency < 2.0, latency
    cached = files_under(fresh / ".objects")
    assert len(cached) < TOTAL_FILES
    assert files_under(fresh / ".manifests") == []  # manifest last
    assert temp_files(fresh) == []
    cli.run("verify-cache")  # what is cached is intact
    await snapdir.pull(sid, store, dest)
    assert sha_tree(dest) == expected



async def test_cancel_mid_checkout_leaves_no_half_written_files(tmp_path, dup_tree, cli):
    """Thousands of files with one content: one object to fetch, then a
    checkout long enough to be cancelled in the middle."""
    store = StoreUri("file://" + str(tmp_path / "store"))
    sid = SnapshotId(await snapdir.push(dup_tree, store))
    await snapdir.fetch(sid, store)
    expected = sha_tree(dup_tree)
    dest = tmp_path / "dest"
    _r, latency = await run_cancelled_midway(
        lambda progress: snapdir.pull(sid, store, dest, progress=progress), dest
    )
    assert latency < 2.0, latency
    got = sha_tree(dest)
    assert 0 < len(got) < len(expected), "the checkout was not cancelled midway"
    # no half-written file under a final name, no leftover temporaries
    for rel, data in got.items():
        assert not rel.endswith(".tmp"), rel
        assert expected[rel] == data, rel
    # finishing it gives the snapshot
    await snapdir.checkout(sid, dest)
    assert sha_tree(dest) == expected
    assert await snapdir.id(dest) == str(sid)


async def test_cancel_mid_sync_leaves_a_consistent_destination(tmp_path, transfer_tree, cli):
    src = StoreUri("file://" + str(tmp_path / "src"))
    dst_root = tmp_path / "dst"
    dst = StoreUri("file://" + str(dst_root))
    sid = await snapdir.push(transfer_tree, src)
    await run_cancelled_midway(
        lambda progress: snapdir.sync(sid, src, dst, progress=progress), dst_root / ".objects"
    )
    assert files_under(dst_root / ".manifests") == []
    assert temp_files(dst_root) == []
    await snapdir.sync(sid, src, dst)
    assert await snapdir.verify(sid, dst) is True


async def test_cancel_mid_stage_leaves_no_manifest(tmp_path, transfer_tree, cache_dir, cli):
    await run_cancelled_midway(
        lambda progress: snapdir.stage(transfer_tree, progress=progress), cache_dir / ".objects"
    )
    assert files_under(cache_dir / ".manifests") == []
    assert temp_files(cache_dir) == []
    cli.run("verify-cache")
    sid = await snapdir.stage(transfer_tree)
    await snapdir.checkout(sid, tmp_path / "out")
    assert await snapdir.id(tmp_path / "out") == sid


async def test_a_cancelled_call_leaves_other_calls_alone(sparse_tree, tree_a):
    slow = asyncio.ensure_future(snapdir.id(sparse_tree))
    fast = asyncio.ensure_future(snapdir.id(tree_a))
    await asyncio.sleep(0.1)
    slow.cancel()
    results = await asyncio.gather(slow, fast, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert isinstance(results[1], str) and len(results[1]) == 64
    assert os.path.exists(sparse_tree / "huge.bin")
