# SPDX-License-Identifier: MIT
"""Every public name of the snapdir package, used with full type annotations.

    python examples/typed_usage.py [DIR]      # snapshots DIR (default: a demo tree)
    mypy --strict examples/typed_usage.py     # the stubs type-check it

Everything happens under a temporary directory: a file:// store, a second
store, restores, and a private cache (SNAPDIR_CACHE_DIR).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import snapdir
from snapdir import (
    CatalogError,
    DiffEntry,
    DiffOptions,
    HashMismatchError,
    InFluxError,
    Manifest,
    ManifestEntry,
    PathType,
    SnapdirError,
    SnapshotId,
    StoreError,
    StoreUri,
)


def describe(entry: ManifestEntry) -> str:
    kind: PathType = entry.path_type
    mode: int = entry.permissions
    size: int = entry.size
    checksum: str = entry.checksum
    return f"{kind.name[0]} {mode:o} {checksum[:12]} {size:>8} {entry.path}"


def on_progress(p: snapdir.Progress) -> None:
    if p.phase == "transfer" and p.files_total:
        print(f"  {p.phase}: {p.files_done}/{p.files_total} objects", file=sys.stderr)


def error_kind(e: SnapdirError) -> str:
    if isinstance(e, HashMismatchError):
        return "corrupt"
    if isinstance(e, StoreError):
        return "store"
    if isinstance(e, InFluxError):
        return "changed while walked"
    if isinstance(e, CatalogError):
        return "catalog"
    return e.code


async def main(tree: Path, work: Path) -> None:
    print("snapdir", snapdir.version())

    # a manifest, and the id of the same walk
    m: Manifest = await snapdir.manifest(tree, exclude=[r"\.pyc$"], progress=on_progress)
    for entry in m.entries[:5]:
        print(describe(entry))
    raw: str = m.raw
    snap_id: str = await snapdir.id(tree, exclude=[r"\.pyc$"])
    assert snapdir.id_from_manifest(m) == snap_id and raw
    print(await snapdir.id(str(tree), no_follow=True, absolute=False))

    # stores: validated values with value semantics
    store = StoreUri("file://" + str(work / "store"))
    mirror = StoreUri(f"file://{work / 'mirror'}")
    assert store == StoreUri(str(store)) and store.scheme == "file"

    staged: str = await snapdir.stage(tree)
    pushed = SnapshotId(await snapdir.push(tree, store, progress=on_progress))
    assert str(pushed) == staged
    ok: bool = await snapdir.verify(pushed, store)
    await snapdir.fetch(pushed, store)
    await snapdir.checkout(pushed, work / "from-cache")
    await snapdir.pull(pushed, store, work / "restore")
    await snapdir.sync(pushed, store, mirror)
    print("verified:", ok, await snapdir.verify(str(pushed), mirror))

    # several calls at once
    ids: tuple[str, str] = await asyncio.gather(
        snapdir.id(work / "restore"), snapdir.id(work / "from-cache")
    )
    print("restored ids:", ids)

    # a second snapshot, then a diff pinned to both
    (work / "restore" / "added.txt").write_text("new\n")
    second = await snapdir.push(work / "restore", store)
    opts: DiffOptions = DiffOptions.from_refs(
        [f"{store}@{pushed}"], [f"{store}@{second}"], include_unchanged=False
    )
    rows: list[DiffEntry] = await snapdir.diff(opts)
    for row in rows:
        print(row.status, row.path)

    # errors carry a stable code
    try:
        await snapdir.fetch(SnapshotId("0" * 64), store)
    except SnapdirError as e:
        print("expected failure:", error_kind(e), e.code)

    # cancellation: the C work stops, the task ends cancelled
    task = asyncio.create_task(snapdir.id(tree))
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("cancelled")


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ.setdefault("SNAPDIR_CACHE_DIR", str(work / "cache"))
        if len(sys.argv) > 1:
            tree = Path(sys.argv[1])
        else:
            tree = work / "demo"
            (tree / "sub").mkdir(parents=True)
            (tree / "hello.txt").write_text("hello\n")
            (tree / "sub" / "data.bin").write_bytes(bytes(range(256)))
        asyncio.run(main(tree, work))


if __name__ == "__main__":
    run()
