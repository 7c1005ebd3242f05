# SPDX-License-Identifier: MIT
"""The exception classes, and every library error mapped to one with its code."""

import os
from pathlib import Path

import pytest

import snapdir
import snapdir.snapdir as native
from snapdir import (
    CatalogError,
    HashMismatchError,
    InFluxError,
    SnapdirError,
    StoreError,
    StoreUri,
)

from conftest import many_files

STABLE = {
    "IO_ERROR",
    "HASH_MISMATCH",
    "STORE_ERROR",
    "IN_FLUX",
    "CATALOG_ERROR",
    "INVALID_ID",
    "INVALID_STORE",
    "CONFLICT",
    "INTERNAL",
    "CANCELLED",
    "INVALID_MANIFEST",
}


def test_hierarchy():
    assert issubclass(SnapdirError, Exception)
    assert not issubclass(SnapdirError, (OSError, ValueError))
    for cls in (HashMismatchError, StoreError, InFluxError, CatalogError):
        assert issubclass(cls, SnapdirError) and issubclass(cls, Exception)
        assert cls is not SnapdirError
    assert len({HashMismatchError, StoreError, InFluxError, CatalogError}) == 4


def test_user_raised_errors_work_like_any_exception():
    e = SnapdirError("x")
    assert e.args == ("x",)
    with pytest.raises(SnapdirError):
        raise StoreError("y")


async def test_missing_path_is_io_error_with_message(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(SnapdirError) as info:
        await snapdir.manifest(missing)
    e = info.value
    assert type(e) is SnapdirError
    assert e.code == "IO_ERROR"
    assert e.args == (str(e),)
    assert str(e).startswith("I/O error: ") and str(missing) in str(e)


async def test_not_a_directory_is_io_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SnapdirError) as info:
        await snapdir.id(f)
    assert info.value.code == "IO_ERROR"


async def test_catching_the_base_catches_a_concrete_subtype():
    try:
        await snapdir.verify("0" * 64, StoreUri("file:///snapdir-no-such-store-zzz"))
    except SnapdirError as e:
        assert isinstance(e, StoreError)
        assert e.code == "STORE_ERROR"
        assert str(e).startswith("store error: ")
    else:
        raise AssertionError("no error")


async def test_hash_mismatch(tmp_path, tree_a):
    store = StoreUri("file://" + str(tmp_path / "s"))
    sid = await snapdir.push(tree_a, store)
    for p in (tmp_path / "s" / ".objects").rglob("*"):
        if p.is_file() and p.stat().st_size:
            p.chmod(0o644)
            p.write_bytes(b"X" * p.stat().st_size)  # same size, wrong bytes
    with pytest.raises(HashMismatchError) as info:
        await snapdir.fetch(sid, store)
    assert info.value.code == "HASH_MISMATCH"
    assert str(info.value).startswith("hash mismatch: ")


async def test_in_flux_when_the_tree_changes_during_the_walk(tmp_path):
    """The progress callback runs while a huge (sparse) file is still being
    hashed, and truncates it: the walk must fail with IN_FLUX."""
    root = tmp_path / "flux"
    (root / "d").mkdir(parents=True)
    (root / "small.txt").write_bytes(b"small")
    big = root / "d" / "big.bin"
    cut = []

    def truncate(p: snapdir.Progress) -> None:
        if not cut:
            os.truncate(big, 4096)
            cut.append(p)

    for _ in range(3):
        cut.clear()
        with open(big, "wb") as f:
            f.truncate(1 << 30)
        try:
            await snapdir.id(root, progress=truncate)
        except InFluxError as e:
            assert cut, "failed before the callback ran"
            assert e.code == "IN_FLUX"
            assert str(e).startswith("snapshot is in flux: ")
            assert "during walk" in str(e)
            return
    pytest.fail("the walk never saw the tree change")


async def test_catalog_error(tree_a, cache_dir):
    # the default catalog is a file in the cache; a directory there breaks it
    (cache_dir / "default-catalog.sqlite3").mkdir(parents=True)
    with pytest.raises(CatalogError) as info:
        await snapdir.stage(tree_a)
    assert info.value.code == "CATALOG_ERROR"
    assert str(info.value).startswith("catalog error: ")


async def test_conflict_is_the_base_class(tmp_path):
    from conftest import write_tree

    s1 = StoreUri("file://" + str(tmp_path / "s1"))
    await snapdir.push(write_tree(tmp_path / "a", {"x": b"1"}), s1)
    await snapdir.push(write_tree(tmp_path / "b", {"x": b"2"}), s1)
    with pytest.raises(SnapdirError) as info:
        await snapdir.diff(snapdir.DiffOptions.from_refs([s1], []))
    assert type(info.value) is SnapdirError
    assert info.value.code == "CONFLICT"


def test_invalid_id_and_invalid_store_are_the_base_class():
    with pytest.raises(SnapdirError) as a:
        snapdir.SnapshotId("zz")
    with pytest.raises(SnapdirError) as b:
        StoreUri("zz")
    assert type(a.value) is type(b.value) is SnapdirError
    assert (a.value.code, b.value.code) == ("INVALID_ID", "INVALID_STORE")


def test_cancelled_and_invalid_manifest_from_the_native_layer(tree_a):
    flag = native.CancelFlag()
    assert flag.is_set is False
    flag.set()
    assert flag.is_set is True
    with pytest.raises(SnapdirError) as info:
        native.id(str(tree_a), False, False, None, None, flag)
    assert type(info.value) is SnapdirError and info.value.code == "CANCELLED"
    with pytest.raises(SnapdirError) as info2:
        native.id_from_text("this is not a manifest")
    assert info2.value.code == "INVALID_MANIFEST"
    assert type(info2.value) is SnapdirError


def test_native_argument_checks(tree_a):
    with pytest.raises(TypeError):
        native.id(str(tree_a), False, False, None, None, object())
    with pytest.raises(TypeError):
        native.id(str(tree_a), False, False, None, 3, None)
    with pytest.raises(TypeError):
        native.manifest(str(tree_a), False, False, "x", None, None)
    with pytest.raises(TypeError):
        native.CancelFlag(1)
    with pytest.raises(TypeError):
        type("Sub", (native.CancelFlag,), {})


async def test_every_code_seen_is_stable(tmp_path, tree_a):
    codes = set()
    attempts = [
        snapdir.manifest(tmp_path / "missing"),
        snapdir.fetch("0" * 64, StoreUri("file://" + str(tmp_path / "nostore"))),
        snapdir.checkout("1" * 64, tmp_path / "d"),
    ]
    for coro in attempts:
        try:
            await coro
        except SnapdirError as e:
            codes.add(e.code)
    assert codes and codes <= STABLE


async def test_progress_callback_exceptions_stop_the_operation(tmp_path, tree_5000):
    class Boom(Exception):
        pass

    calls = []

    def boom(p: snapdir.Progress) -> None:
        calls.append(p)
        raise Boom("from the callback")

    with pytest.raises(Boom, match="from the callback"):
        await snapdir.id(tree_5000, progress=boom)
    assert len(calls) == 1  # not called again once it raised
    store = StoreUri("file://" + str(tmp_path / "s"))
    with pytest.raises(Boom):
        await snapdir.push(tree_5000, store, progress=boom)


def test_messages_name_the_path(tmp_path):
    target = Path(tmp_path) / "absent"
    with pytest.raises(SnapdirError) as info:
        native.id(os.fsencode(target), False, False, None, None, None)
    assert str(target) in str(info.value)
