# SPDX-License-Identifier: MIT
"""stage, push, fetch, pull, checkout, sync, diff and verify on file:// stores."""

import os
from pathlib import Path

import pytest

import snapdir
from snapdir import DiffEntry, DiffOptions, SnapshotId, StoreUri

from conftest import sha_tree, write_tree


def store_of(path: Path) -> StoreUri:
    return StoreUri("file://" + str(path))


async def test_quick_start(tmp_path, tree_a):
    """The README's quick start, with a file:// store."""
    snap_id = await snapdir.id(tree_a)
    assert len(snap_id) == 64
    store = StoreUri("file://" + str(tmp_path / "snapshots"))
    pushed = await snapdir.push(tree_a, store)
    assert pushed == snap_id
    await snapdir.pull(SnapshotId(pushed), store, tmp_path / "restore")
    assert await snapdir.id(tmp_path / "restore") == snap_id
    assert sha_tree(tmp_path / "restore") == sha_tree(tree_a)


async def test_push_then_pull_into_a_restrictive_dest(tmp_path, tree_a):
    store = store_of(tmp_path / "store")
    pushed = await snapdir.push(tree_a, store)
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o700)
    await snapdir.pull(SnapshotId(pushed), store, dest)
    assert await snapdir.id(dest) == pushed


async def test_push_accepts_strings_and_the_store_layout_is_shared(tmp_path, tree_a, cli):
    store = "file://" + str(tmp_path / "store")
    pushed = await snapdir.push(str(tree_a), store)
    assert (tmp_path / "store" / ".manifests").is_dir()
    assert (tmp_path / "store" / ".objects").is_dir()
    # the CLI reads what the package wrote
    cli.run("verify", "--store", store, "--id", pushed)
    out = tmp_path / "via-cli"
    cli.run("pull", "--store", store, "--id", pushed, out)
    assert sha_tree(out) == sha_tree(tree_a)


async def test_stage_writes_the_shared_cache(tree_a, cache_dir, tmp_path, cli):
    staged = await snapdir.stage(tree_a)
    assert staged == await snapdir.id(tree_a)
    assert (cache_dir / ".manifests").is_dir() and (cache_dir / ".objects").is_dir()
    # checkout from the cache, by the package and by the CLI (one cache)
    await snapdir.checkout(SnapshotId(staged), tmp_path / "co")
    assert sha_tree(tmp_path / "co") == sha_tree(tree_a)
    cli.run("checkout", "--id", staged, tmp_path / "co-cli")
    assert sha_tree(tmp_path / "co-cli") == sha_tree(tree_a)


async def test_cache_dir_follows_xdg_when_snapdir_cache_dir_is_unset(
    tree_a, tmp_path, monkeypatch
):
    monkeypatch.delenv("SNAPDIR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    await snapdir.stage(tree_a)
    assert (tmp_path / "xdg" / "snapdir" / ".manifests").is_dir()
    monkeypatch.delenv("XDG_CACHE_HOME")
    await snapdir.stage(tree_a)
    assert (Path(os.environ["HOME"]) / ".cache" / "snapdir" / ".manifests").is_dir()


async def test_fetch_then_checkout(tmp_path, tree_a, cache_dir):
    store = store_of(tmp_path / "store")
    pushed = SnapshotId(await snapdir.push(tree_a, store))
    assert not (cache_dir / ".manifests").exists()
    assert await snapdir.fetch(pushed, store) is None
    assert (cache_dir / ".manifests").is_dir()
    await snapdir.checkout(pushed, tmp_path / "out")
    assert await snapdir.id(tmp_path / "out") == str(pushed)


async def test_checkout_of_an_uncached_snapshot_is_a_store_error(tmp_path):
    with pytest.raises(snapdir.StoreError) as info:
        await snapdir.checkout(SnapshotId("ab" * 32), tmp_path / "out")
    assert info.value.code == "STORE_ERROR"


async def test_sync_copies_between_stores(tmp_path, tree_a):
    src, dst = store_of(tmp_path / "src"), store_of(tmp_path / "dst")
    pushed = SnapshotId(await snapdir.push(tree_a, src))
    assert await snapdir.sync(pushed, src, dst) is None
    assert await snapdir.verify(pushed, dst) is True
    await snapdir.pull(pushed, dst, tmp_path / "out")
    assert await snapdir.id(tmp_path / "out") == str(pushed)
    # idempotent
    await snapdir.sync(pushed, src, dst)


async def test_sync_of_a_missing_snapshot_is_a_store_error(tmp_path, tree_a):
    src, dst = store_of(tmp_path / "src"), store_of(tmp_path / "dst")
    await snapdir.push(tree_a, src)
    with pytest.raises(snapdir.StoreError):
        await snapdir.sync(SnapshotId("cd" * 32), src, dst)


async def test_verify_healthy_corrupt_and_missing(tmp_path, tree_a):
    root = tmp_path / "store"
    store = store_of(root)
    pushed = await snapdir.push(tree_a, store)
    assert await snapdir.verify(pushed, store) is True  # a str id is fine
    assert await snapdir.verify(SnapshotId(pushed.upper()), store) is True
    # corrupt one object
    objects = [p for p in (root / ".objects").rglob("*") if p.is_file()]
    assert objects
    victim = max(objects, key=lambda p: p.stat().st_size)
    victim.chmod(0o644)
    victim.write_bytes(b"corrupted!")
    with pytest.raises(snapdir.HashMismatchError) as info:
        await snapdir.verify(pushed, store)
    assert info.value.code == "HASH_MISMATCH"
    with pytest.raises(snapdir.StoreError) as info2:
        await snapdir.verify("0" * 64, store_of(tmp_path / "no-such-store"))
    assert info2.value.code == "STORE_ERROR"


async def test_diff_between_two_stores(tmp_path):
    base = write_tree(
        tmp_path / "base",
        {"keep.txt": b"same", "gone.txt": b"bye", "mod.txt": b"old"},
    )
    nxt = write_tree(
        tmp_path / "next",
        {"keep.txt": b"same", "add.txt": b"new", "mod.txt": b"changed"},
    )
    s1, s2 = store_of(tmp_path / "s1"), store_of(tmp_path / "s2")
    await snapdir.push(base, s1)
    await snapdir.push(nxt, s2)
    rows = await snapdir.diff(DiffOptions.from_refs([s1], [s2]))
    assert isinstance(rows, list) and all(isinstance(r, DiffEntry) for r in rows)
    assert [(r.status, r.path) for r in rows] == [
        ("A", "./add.txt"),
        ("D", "./gone.txt"),
        ("M", "./mod.txt"),
    ]
    assert repr(rows[0]) == 'DiffEntry(status="A", path="./add.txt")'
    everything = await snapdir.diff(DiffOptions.from_refs([s1], [s2], include_unchanged=True))
    assert ("=", "./keep.txt") in [(r.status, r.path) for r in everything]
    assert await snapdir.diff(DiffOptions.from_refs([s1], [s1])) == []
    assert await snapdir.diff(DiffOptions.from_refs([], [])) == []


async def test_diff_ref_with_id_pins_one_snapshot(tmp_path):
    """The reference ignored "@id"; here it selects that snapshot."""
    v1 = write_tree(tmp_path / "v1", {"a.txt": b"1", "b.txt": b"b"})
    v2 = write_tree(tmp_path / "v2", {"a.txt": b"2", "c.txt": b"c"})
    store = store_of(tmp_path / "store")
    id1 = await snapdir.push(v1, store)
    id2 = await snapdir.push(v2, store)
    rows = await snapdir.diff(DiffOptions.from_refs([f"{store}@{id1}"], [f"{store}@{id2}"]))
    assert [(r.status, r.path) for r in rows] == [
        ("M", "./a.txt"),
        ("D", "./b.txt"),
        ("A", "./c.txt"),
    ]
    same = await snapdir.diff(
        DiffOptions.from_refs([f"{store}@{id1}"], [f"{store}@{id1.upper()}"])
    )
    assert same == []
    # an unpinned ref is the union of every snapshot of the store, and the
    # two versions of a.txt conflict ...
    with pytest.raises(snapdir.SnapdirError) as info:
        await snapdir.diff(DiffOptions.from_refs([f"{store}@{id1}"], [store]))
    assert info.value.code == "CONFLICT"
    assert type(info.value) is snapdir.SnapdirError
    # ... unless the last ref wins
    await snapdir.diff(DiffOptions.from_refs([f"{store}@{id1}"], [store], last_wins=True))


async def test_diff_of_a_missing_store_or_snapshot_is_an_error(tmp_path, tree_a):
    store = store_of(tmp_path / "store")
    await snapdir.push(tree_a, store)
    with pytest.raises(snapdir.StoreError):
        await snapdir.diff(DiffOptions.from_refs([f"{store}@{'e' * 64}"], [store]))
    with pytest.raises(snapdir.SnapdirError):
        await snapdir.diff(DiffOptions.from_refs([store_of(tmp_path / "absent")], [store]))


async def test_id_arguments_are_validated_at_await(tmp_path, tree_a):
    store = store_of(tmp_path / "store")
    coro = snapdir.fetch("nope", store)
    with pytest.raises(snapdir.SnapdirError) as info:
        await coro
    assert info.value.code == "INVALID_ID"
    for bad in (3, None, b"ab" * 32):
        with pytest.raises(TypeError):
            await snapdir.fetch(bad, store)
    with pytest.raises(TypeError):
        await snapdir.diff(["file:///x"])


async def test_store_arguments_are_validated_at_await(tmp_path, tree_a):
    with pytest.raises(snapdir.SnapdirError) as info:
        await snapdir.push(tree_a, "ftp://nowhere")
    assert info.value.code == "INVALID_STORE"
    with pytest.raises(TypeError):
        await snapdir.push(tree_a, 42)
    with pytest.raises(TypeError):
        await snapdir.sync("ab" * 32, "file:///a", Path("/b"))


async def test_cloud_schemes_reach_the_library(tree_a):
    """s3/gs/gcs/b2 are valid StoreUris; whether this build has the backend or
    not, the library answers with a snapdir error, never a crash."""
    for uri in ("s3://snapdir-test-no-such-bucket/x", "gcs://b/x", "b2://b/x", "gs://b/x"):
        try:
            await snapdir.verify("ab" * 32, StoreUri(uri))
        except snapdir.SnapdirError as e:
            assert e.code in {"INVALID_STORE", "STORE_ERROR", "IO_ERROR"}, (uri, e)


async def test_progress_reports_for_each_operation(tmp_path, tree_a, monkeypatch):
    seen: dict[str, list[snapdir.Progress]] = {}

    def recorder(name: str):
        seen[name] = []
        return seen[name].append

    store = store_of(tmp_path / "store")
    await snapdir.manifest(tree_a, progress=recorder("manifest"))
    sid = await snapdir.id(tree_a, progress=recorder("id"))
    await snapdir.stage(tree_a, progress=recorder("stage"))
    await snapdir.push(tree_a, store, progress=recorder("push"))
    await snapdir.verify(sid, store, progress=recorder("verify"))
    await snapdir.sync(sid, store, store_of(tmp_path / "s2"), progress=recorder("sync"))
    await snapdir.checkout(sid, tmp_path / "out2", progress=recorder("checkout"))
    # fetch and pull into caches that lack the snapshot
    monkeypatch.setenv("SNAPDIR_CACHE_DIR", str(tmp_path / "cache2"))
    await snapdir.fetch(sid, store, progress=recorder("fetch"))
    monkeypatch.setenv("SNAPDIR_CACHE_DIR", str(tmp_path / "cache3"))
    await snapdir.pull(sid, store, tmp_path / "out", progress=recorder("pull"))
    for name, reports in seen.items():
        assert reports, name
        for p in reports:
            assert isinstance(p, snapdir.Progress)
            assert p.phase in ("discovering", "hashing", "transfer", "done")
            assert p.files_done >= 0 and p.bytes_done >= 0
    last = seen["id"][-1]
    assert last.files_done == last.files_total == 3
    assert last.bytes_done == len(b"hello world\n") + len(b"\x00\x01\x02\x03payload")
