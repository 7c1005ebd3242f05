# SPDX-License-Identifier: MIT
"""Type stubs of the snapdir package (the public API)."""

import enum
import os
from collections.abc import Callable, Sequence
from typing import NamedTuple, final

from .snapdir import CatalogError as CatalogError
from .snapdir import HashMismatchError as HashMismatchError
from .snapdir import InFluxError as InFluxError
from .snapdir import SnapdirError as SnapdirError
from .snapdir import StoreError as StoreError

__all__ = [
    "SnapdirError",
    "HashMismatchError",
    "StoreError",
    "InFluxError",
    "CatalogError",
    "PathType",
    "ManifestEntry",
    "Manifest",
    "DiffEntry",
    "SnapshotId",
    "StoreUri",
    "DiffOptions",
    "version",
    "id_from_manifest",
    "manifest",
    "id",
    "stage",
    "push",
    "fetch",
    "pull",
    "checkout",
    "sync",
    "diff",
    "verify",
]

StrPath = str | os.PathLike[str]

# ---- values -----------------------------------------------------------------

@final
class SnapshotId:
    """A snapshot id: 64 hex digits (upper case folded to lower).

    Raises SnapdirError (code "INVALID_ID") for anything else.
    """

    def __init__(self, s: str) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class StoreUri:
    """A store URI: file://, s3://, gs:// (or gcs://), b2://.

    Raises SnapdirError (code "INVALID_STORE") for anything else.
    """

    def __init__(self, s: str) -> None: ...
    @property
    def scheme(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class DiffOptions:
    """What diff() compares; build it with DiffOptions.from_refs()."""

    @classmethod
    def from_refs(
        cls,
        from_uris: Sequence[StoreUri | str],
        to_uris: Sequence[StoreUri | str],
        *,
        include_unchanged: bool = False,
        last_wins: bool = False,
    ) -> DiffOptions: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

# ---- results ----------------------------------------------------------------

class PathType(enum.Enum):
    File = "File"
    Directory = "Directory"

@final
class ManifestEntry:
    @property
    def path(self) -> str: ...
    @property
    def path_type(self) -> PathType: ...
    @property
    def permissions(self) -> int: ...
    @property
    def checksum(self) -> str: ...
    @property
    def size(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Manifest:
    @property
    def entries(self) -> list[ManifestEntry]: ...
    @property
    def raw(self) -> str: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class DiffEntry:
    @property
    def status(self) -> str: ...
    @property
    def path(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Progress(NamedTuple):
    """Passed to a progress callback; phase is "discovering", "hashing",
    "transfer" or "done"; the totals are 0 while unknown."""

    phase: str
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int

ProgressCallback = Callable[[Progress], object]

# ---- functions --------------------------------------------------------------

def version() -> str: ...
def id_from_manifest(m: Manifest) -> str: ...
async def manifest(
    path: StrPath,
    *,
    no_follow: bool = False,
    absolute: bool = False,
    exclude: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> Manifest: ...
async def id(
    path: StrPath,
    *,
    no_follow: bool = False,
    absolute: bool = False,
    exclude: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> str: ...
async def stage(path: StrPath, *, progress: ProgressCallback | None = None) -> str: ...
async def push(
    path: StrPath,
    store: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> str: ...
async def fetch(
    snapshot_id: SnapshotId | str,
    store: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> None: ...
async def pull(
    snapshot_id: SnapshotId | str,
    store: StoreUri | str,
    dest: StrPath,
    *,
    progress: ProgressCallback | None = None,
) -> None: ...
async def checkout(
    snapshot_id: SnapshotId | str,
    dest: StrPath,
    *,
    progress: ProgressCallback | None = None,
) -> None: ...
async def sync(
    snapshot_id: SnapshotId | str,
    src: StoreUri | str,
    dst: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> None: ...
async def diff(opts: DiffOptions) -> list[DiffEntry]: ...
async def verify(
    snapshot_id: SnapshotId | str,
    store: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> bool: ...
