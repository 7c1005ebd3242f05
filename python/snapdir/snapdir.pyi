# SPDX-License-Identifier: MIT
"""Type stubs of the native module snapdir.snapdir.

Blocking calls into libsnapdir that release the GIL; the `snapdir` package
runs them in worker threads. Arguments are positional; `progress` is None or
a callable taking (phase, files_done, files_total, bytes_done, bytes_total),
`cancel` is None or a CancelFlag.
"""

from collections.abc import Callable, Sequence
from typing import final

ABI_VERSION: int

_Progress = Callable[[int, int, int, int, int], object] | None
_Path = str | bytes

class SnapdirError(Exception):
    """Base class of every snapdir error."""

    code: str

class HashMismatchError(SnapdirError): ...
class StoreError(SnapdirError): ...
class InFluxError(SnapdirError): ...
class CatalogError(SnapdirError): ...

@final
class CancelFlag:
    def __init__(self) -> None: ...
    def set(self) -> None: ...
    @property
    def is_set(self) -> bool: ...

def version() -> str: ...
def parse_id(text: str, /) -> str: ...
def id_from_text(text: str, /) -> str: ...
def manifest(
    path: _Path,
    no_follow: bool,
    absolute: bool,
    exclude: Sequence[str] | None,
    progress: _Progress,
    cancel: CancelFlag | None,
    /,
) -> tuple[str, list[tuple[str, int, str, int, str]]]: ...
def id(
    path: _Path,
    no_follow: bool,
    absolute: bool,
    exclude: Sequence[str] | None,
    progress: _Progress,
    cancel: CancelFlag | None,
    /,
) -> str: ...
def stage(path: _Path, progress: _Progress, cancel: CancelFlag | None, /) -> str: ...
def push(
    path: _Path, store: str, progress: _Progress, cancel: CancelFlag | None, /
) -> str: ...
def fetch(
    id: str, store: str, progress: _Progress, cancel: CancelFlag | None, /
) -> None: ...
def pull(
    id: str,
    store: str,
    dest: _Path,
    progress: _Progress,
    cancel: CancelFlag | None,
    /,
) -> None: ...
def checkout(
    id: str, dest: _Path, progress: _Progress, cancel: CancelFlag | None, /
) -> None: ...
def sync(
    id: str,
    src: str,
    dst: str,
    progress: _Progress,
    cancel: CancelFlag | None,
    /,
) -> None: ...
def verify(
    id: str, store: str, progress: _Progress, cancel: CancelFlag | None, /
) -> bool: ...
def diff(
    from_refs: Sequence[str],
    to_refs: Sequence[str],
    all: bool,
    last_wins: bool,
    cancel: CancelFlag | None,
    /,
) -> list[tuple[str, str]]: ...
