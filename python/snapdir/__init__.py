# SPDX-License-Identifier: MIT
"""snapdir: content-addressable directory snapshots, as an asyncio API.

Every I/O function is a coroutine function. Awaiting one validates its
arguments, then runs one blocking call into libsnapdir in a worker thread
(the loop's default executor) with the GIL released, so the event loop keeps
running and ``asyncio.gather`` runs calls in parallel. Cancelling the task
that awaits a call stops the C work promptly (a cancel flag checked between
files and objects), waits for it to return, and re-raises
``asyncio.CancelledError``; the library never leaves partial state under
final names.

The long operations take an optional keyword-only ``progress`` callable,
called from the worker thread (about ten times a second and once at the end)
with a :class:`Progress`; if it raises, the operation stops and the
exception propagates from the ``await``.

The local cache is the CLI's: ``$SNAPDIR_CACHE_DIR``, else
``${XDG_CACHE_HOME:-$HOME/.cache}/snapdir``.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import os
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn, TypeVar, Union

from . import snapdir as _native
from .snapdir import (
    CatalogError,
    HashMismatchError,
    InFluxError,
    SnapdirError,
    StoreError,
)

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

StrPath = Union[str, "os.PathLike[str]"]

_T = TypeVar("_T")

# ---- helpers ----------------------------------------------------------------


def _debug_quote(s: str) -> str:
    """``s`` quoted the way the reference (Rust ``Debug``) shows strings."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\0":
            out.append("\\0")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    out.append('"')
    return "".join(out)


def _error(cls: type[SnapdirError], code: str, message: str) -> SnapdirError:
    e = cls(message)
    e.code = code
    return e


class _Frozen:
    """Base of the value and result classes: immutable, and final (only the
    classes defined here derive from it directly)."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if _Frozen not in cls.__bases__:
            raise TypeError(
                "snapdir.%s is final and cannot be subclassed"
                % cls.__bases__[0].__name__
            )
        super().__init_subclass__(**kwargs)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(
            "%s objects are immutable (cannot set %r)" % (type(self).__name__, name)
        )

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(
            "%s objects are immutable (cannot delete %r)" % (type(self).__name__, name)
        )


def _no_constructor(name: str) -> NoReturn:
    raise TypeError("cannot create %s instances: snapdir returns them" % name)


def _new(cls: type[_T], **fields: object) -> _T:
    obj = object.__new__(cls)
    for k, v in fields.items():
        object.__setattr__(obj, k, v)
    return obj


def _path(value: object, what: str) -> str | bytes:
    try:
        result: str | bytes = os.fspath(value)  # type: ignore[call-overload]
        return result
    except TypeError:
        raise TypeError(
            "%s: expected str or os.PathLike, got %s" % (what, type(value).__name__)
        ) from None


def _bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError("%s: expected bool, got %s" % (what, type(value).__name__))
    return value


def _str_list(value: object, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            "%s: expected a sequence of str, got %s" % (what, type(value).__name__)
        )
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(
                "%s: expected a sequence of str, found %s" % (what, type(item).__name__)
            )
    return items


# ---- values -----------------------------------------------------------------


class SnapshotId(_Frozen):
    """A validated snapshot id: 64 hex digits, upper case folded to lower.

    Invalid text raises :class:`SnapdirError` with ``code == "INVALID_ID"``.
    Equal (and hashing equal) when the ids are equal; ``str()`` is the hex.
    """

    __slots__ = ("_hex",)
    _hex: str

    def __init__(self, s: str) -> None:
        if not isinstance(s, str):
            raise TypeError(
                "SnapshotId() argument must be str, not %s" % type(s).__name__
            )
        # NUL is one byte like any ASCII non-hex character: same message
        object.__setattr__(self, "_hex", _native.parse_id(s.replace("\0", "?")))

    def __str__(self) -> str:
        return self._hex

    def __repr__(self) -> str:
        return 'SnapshotId("%s")' % self._hex

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SnapshotId):
            return self._hex == other._hex
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._hex)

    def __reduce__(self) -> tuple[type[SnapshotId], tuple[str]]:
        return (SnapshotId, (self._hex,))


_SCHEMES = ("file", "s3", "gs", "gcs", "b2")
_SCHEME_CHARS = re.compile(r"[a-z0-9]+\Z")


def _store_uri_problem(s: str) -> str | None:
    """Why ``s`` is not a store URI (the reference's checks, in order)."""
    q = _debug_quote(s)
    scheme, colon, rest = s.partition(":")
    if not colon:
        return "no scheme found in store URI: %s" % q
    if not scheme:
        return "empty scheme in store URI: %s" % q
    if not _SCHEME_CHARS.match(scheme):
        return "invalid scheme %s in store URI: %s" % (_debug_quote(scheme), q)
    if not rest.startswith("//"):
        return "store URI must use '://' separator: %s" % q
    if scheme not in _SCHEMES:
        return "unknown store scheme %s: accepted schemes are %s" % (
            _debug_quote(scheme),
            ", ".join(_SCHEMES),
        )
    if "\0" in s:
        return "NUL character in store URI: %s" % q
    return None


class StoreUri(_Frozen):
    """A validated store URI: ``file://``, ``s3://``, ``gs://`` (or ``gcs://``)
    or ``b2://``. Only the scheme is checked; the text is kept verbatim.

    Invalid text raises :class:`SnapdirError` with ``code == "INVALID_STORE"``.
    Equal (and hashing equal) when the texts are equal; ``str()`` is the text.
    """

    __slots__ = ("_uri",)
    _uri: str

    def __init__(self, s: str) -> None:
        if not isinstance(s, str):
            raise TypeError(
                "StoreUri() argument must be str, not %s" % type(s).__name__
            )
        problem = _store_uri_problem(s)
        if problem is not None:
            raise _error(SnapdirError, "INVALID_STORE", "invalid store URI: " + problem)
        object.__setattr__(self, "_uri", s)

    @property
    def scheme(self) -> str:
        """The scheme, e.g. ``"file"``."""
        return self._uri.partition(":")[0]

    def __str__(self) -> str:
        return self._uri

    def __repr__(self) -> str:
        return "StoreUri(%s)" % _debug_quote(self._uri)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoreUri):
            return self._uri == other._uri
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._uri)

    def __reduce__(self) -> tuple[type[StoreUri], tuple[str]]:
        return (StoreUri, (self._uri,))


_PINNED = re.compile(r"(.*)@([0-9A-Fa-f]{64})\Z", re.DOTALL)


def _ref(item: object, what: str) -> str:
    """A diff ref: a StoreUri, or text "URI" / "URI@ID" (ValueError if bad)."""
    if isinstance(item, StoreUri):
        return str(item)
    if not isinstance(item, str):
        raise TypeError(
            "%s: expected StoreUri or str, got %s" % (what, type(item).__name__)
        )
    m = _PINNED.match(item)
    problem = _store_uri_problem(m.group(1) if m else item)
    if problem is not None:
        raise ValueError("invalid store URI: " + problem)
    return item


def _refs(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, (str, bytes, StoreUri)) or not isinstance(value, Sequence):
        raise TypeError(
            "%s: expected a list of StoreUri or str, got %s"
            % (what, type(value).__name__)
        )
    return tuple(_ref(item, what) for item in value)


class DiffOptions(_Frozen):
    """What :func:`diff` compares: two sides of snapshot refs.

    Build it with :meth:`from_refs`. A ref is a store URI (every snapshot in
    that store) or ``"<store>@<id>"`` (that one snapshot).
    """

    __slots__ = ("_from", "_to", "_all", "_last_wins")
    _from: tuple[str, ...]
    _to: tuple[str, ...]
    _all: bool
    _last_wins: bool

    def __init__(self) -> None:
        _no_constructor("DiffOptions (use DiffOptions.from_refs)")

    @classmethod
    def from_refs(
        cls,
        from_uris: Sequence[StoreUri | str],
        to_uris: Sequence[StoreUri | str],
        *,
        include_unchanged: bool = False,
        last_wins: bool = False,
    ) -> DiffOptions:
        """Diff ``from_uris`` (old) against ``to_uris`` (new).

        Items are :class:`StoreUri` or ``str`` refs (``"URI"`` or
        ``"URI@ID"``); a bad ``str`` raises ``ValueError``. With
        ``include_unchanged``, unchanged files are reported too (``"="``).
        When refs of one side disagree on a path, the diff fails with
        ``CONFLICT`` unless ``last_wins`` (the last ref in the list wins).
        """
        return _new(
            cls,
            _from=_refs(from_uris, "from_uris"),
            _to=_refs(to_uris, "to_uris"),
            _all=_bool(include_unchanged, "include_unchanged"),
            _last_wins=_bool(last_wins, "last_wins"),
        )

    def _key(self) -> tuple[tuple[str, ...], tuple[str, ...], bool, bool]:
        return (self._from, self._to, self._all, self._last_wins)

    def __repr__(self) -> str:
        extra = ""
        if self._all:
            extra += ", include_unchanged=True"
        if self._last_wins:
            extra += ", last_wins=True"
        return "DiffOptions(from=[%s], to=[%s]%s)" % (
            ", ".join(map(_debug_quote, self._from)),
            ", ".join(map(_debug_quote, self._to)),
            extra,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DiffOptions):
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_diff_options, self._key())


def _diff_options(
    from_: tuple[str, ...], to: tuple[str, ...], all_: bool, last_wins: bool
) -> DiffOptions:
    return DiffOptions.from_refs(from_, to, include_unchanged=all_, last_wins=last_wins)


# ---- results ----------------------------------------------------------------


class PathType(enum.Enum):
    """The type of a manifest entry: ``PathType.File`` or ``PathType.Directory``."""

    File = "File"
    Directory = "Directory"

    def __repr__(self) -> str:
        return "PathType.%s" % self.name

    def __str__(self) -> str:
        return self.name


_PATH_TYPES = {"F": PathType.File, "D": PathType.Directory}


class ManifestEntry(_Frozen):
    """One manifest line: ``path``, ``path_type``, ``permissions`` (the mode,
    an int: ``0o644``), ``checksum`` (hex) and ``size`` (bytes; for a
    directory the sum of its direct children)."""

    __slots__ = ("path", "path_type", "permissions", "checksum", "size")
    path: str
    path_type: PathType
    permissions: int
    checksum: str
    size: int

    def __init__(self) -> None:
        _no_constructor("ManifestEntry")

    def _key(self) -> tuple[str, PathType, int, str, int]:
        return (self.path, self.path_type, self.permissions, self.checksum, self.size)

    def __repr__(self) -> str:
        return "ManifestEntry(path=%s, path_type=%s, size=%d)" % (
            _debug_quote(self.path),
            self.path_type.name,
            self.size,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ManifestEntry):
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())


def _entry(row: tuple[str, int, str, int, str]) -> ManifestEntry:
    kind, mode, checksum, size, path = row
    return _new(
        ManifestEntry,
        path=path,
        path_type=_PATH_TYPES[kind],
        permissions=mode,
        checksum=checksum,
        size=size,
    )


class Manifest(_Frozen):
    """A directory's manifest: ``entries`` (in path order, the root first)
    and ``raw``, the manifest text without its final newline.

    ``entries`` returns a new list on each access; the manifest itself is
    immutable. Manifests are equal when their texts are.
    """

    __slots__ = ("raw", "_rows", "_entries")
    raw: str
    _rows: list[tuple[str, int, str, int, str]] | None
    _entries: tuple[ManifestEntry, ...] | None

    def __init__(self) -> None:
        _no_constructor("Manifest")

    @property
    def entries(self) -> list[ManifestEntry]:
        """The entries, in the order of the lines of ``raw``."""
        if self._entries is None:
            rows = self._rows or []
            object.__setattr__(self, "_entries", tuple(map(_entry, rows)))
            object.__setattr__(self, "_rows", None)
        assert self._entries is not None
        return list(self._entries)

    def __len__(self) -> int:
        if self._entries is not None:
            return len(self._entries)
        return len(self._rows or ())

    def __repr__(self) -> str:
        return "Manifest(entries=%d, raw_len=%d)" % (
            len(self),
            len(self.raw.encode("utf-8", "surrogateescape")),
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Manifest):
            return self.raw == other.raw
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.raw)


class DiffEntry(_Frozen):
    """One row of a diff: ``status`` (``"A"`` added, ``"D"`` deleted,
    ``"M"`` modified, ``"="`` unchanged) and ``path`` (``"./x"``)."""

    __slots__ = ("status", "path")
    status: str
    path: str

    def __init__(self) -> None:
        _no_constructor("DiffEntry")

    def __repr__(self) -> str:
        return "DiffEntry(status=%s, path=%s)" % (
            _debug_quote(self.status),
            _debug_quote(self.path),
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DiffEntry):
            return (self.status, self.path) == (other.status, other.path)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.status, self.path))


class Progress(NamedTuple):
    """What a long operation is doing, as passed to a ``progress`` callback.

    ``phase`` is ``"discovering"``, ``"hashing"``, ``"transfer"`` or
    ``"done"``; ``*_total`` are 0 while unknown.
    """

    phase: str
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[Progress], object]

_PHASES = ("discovering", "hashing", "transfer", "done")


def _progress_adapter(
    progress: ProgressCallback | None,
) -> Callable[[int, int, int, int, int], None] | None:
    if progress is None:
        return None
    if not callable(progress):
        raise TypeError("progress: expected a callable or None")

    def report(phase: int, fd: int, ft: int, bd: int, bt: int) -> None:
        name = _PHASES[phase] if 0 <= phase < len(_PHASES) else str(phase)
        progress(Progress(name, fd, ft, bd, bt))

    return report


# ---- running blocking calls -------------------------------------------------


async def _run(fn: Callable[..., _T], *args: object) -> _T:
    """Run ``fn(*args, cancel_flag)`` in the default executor.

    If the awaiting task is cancelled, set the flag, wait until the call has
    returned (the library stops between files and objects), then re-raise
    the CancelledError.
    """
    loop = asyncio.get_running_loop()
    flag = _native.CancelFlag()
    fut = loop.run_in_executor(None, functools.partial(fn, *args, flag))
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        flag.set()
        while not fut.done():
            try:
                await asyncio.wait((fut,))
            except asyncio.CancelledError:
                continue  # cancelled again: still wait for the C call
        if not fut.cancelled():
            fut.exception()  # retrieved: the task ends cancelled
        raise


def _id_text(value: object, what: str = "snapshot_id") -> str:
    if isinstance(value, SnapshotId):
        return str(value)
    if isinstance(value, str):
        return str(SnapshotId(value))
    raise TypeError(
        "%s: expected SnapshotId or str, got %s" % (what, type(value).__name__)
    )


def _store_text(value: object, what: str = "store") -> str:
    if isinstance(value, StoreUri):
        return str(value)
    if isinstance(value, str):
        return str(StoreUri(value))
    raise TypeError(
        "%s: expected StoreUri or str, got %s" % (what, type(value).__name__)
    )


# ---- sync functions ---------------------------------------------------------


def version() -> str:
    """The package (and library) version, e.g. ``"1.11.0"``."""
    return _native.version()


def id_from_manifest(m: Manifest) -> str:
    """The snapshot id of a manifest: BLAKE3 of its canonical text.

    Equals ``await id(path, **opts)`` for ``m = await manifest(path, **opts)``.
    """
    if not isinstance(m, Manifest):
        raise TypeError(
            "id_from_manifest() expects a Manifest, got %s" % type(m).__name__
        )
    return _native.id_from_text(m.raw)


# ---- async functions --------------------------------------------------------


async def manifest(
    path: StrPath,
    *,
    no_follow: bool = False,
    absolute: bool = False,
    exclude: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> Manifest:
    """Walk ``path`` and return its :class:`Manifest`.

    Symbolic links are followed unless ``no_follow`` (then they are left
    out); ``absolute`` renders absolute paths; ``exclude`` is a list of
    POSIX extended regular expressions, an entry is left out when one
    matches its absolute path. A tree that changes during the walk raises
    :class:`InFluxError`.
    """
    args = (
        _path(path, "path"),
        _bool(no_follow, "no_follow"),
        _bool(absolute, "absolute"),
        _str_list(exclude, "exclude"),
        _progress_adapter(progress),
    )
    raw, rows = await _run(_native.manifest, *args)
    return _new(Manifest, raw=raw, _rows=rows, _entries=None)


async def id(
    path: StrPath,
    *,
    no_follow: bool = False,
    absolute: bool = False,
    exclude: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
) -> str:
    """The snapshot id of ``path`` (64 lowercase hex), as ``snapdir id``.

    Takes the options of :func:`manifest`; nothing is written anywhere.
    """
    args = (
        _path(path, "path"),
        _bool(no_follow, "no_follow"),
        _bool(absolute, "absolute"),
        _str_list(exclude, "exclude"),
        _progress_adapter(progress),
    )
    return await _run(_native.id, *args)


async def stage(path: StrPath, *, progress: ProgressCallback | None = None) -> str:
    """Snapshot ``path`` into the local cache; returns the snapshot id."""
    args = (_path(path, "path"), _progress_adapter(progress))
    return await _run(_native.stage, *args)


async def push(
    path: StrPath,
    store: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> str:
    """Upload the snapshot of ``path`` to ``store``; returns its id.

    Objects the store has are skipped; the manifest is written last, so a
    store never holds a manifest without its objects.
    """
    args = (_path(path, "path"), _store_text(store), _progress_adapter(progress))
    return await _run(_native.push, *args)


async def fetch(
    snapshot_id: SnapshotId | str,
    store: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Download a snapshot from ``store`` into the local cache (verified)."""
    args = (_id_text(snapshot_id), _store_text(store), _progress_adapter(progress))
    await _run(_native.fetch, *args)


async def pull(
    snapshot_id: SnapshotId | str,
    store: StoreUri | str,
    dest: StrPath,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Fetch a snapshot from ``store`` and materialise it into ``dest``."""
    args = (
        _id_text(snapshot_id),
        _store_text(store),
        _path(dest, "dest"),
        _progress_adapter(progress),
    )
    await _run(_native.pull, *args)


async def checkout(
    snapshot_id: SnapshotId | str,
    dest: StrPath,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Materialise a snapshot from the local cache into ``dest``."""
    args = (_id_text(snapshot_id), _path(dest, "dest"), _progress_adapter(progress))
    await _run(_native.checkout, *args)


async def sync(
    snapshot_id: SnapshotId | str,
    src: StoreUri | str,
    dst: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Copy a snapshot from store ``src`` to store ``dst`` (not via the cache)."""
    args = (
        _id_text(snapshot_id),
        _store_text(src, "src"),
        _store_text(dst, "dst"),
        _progress_adapter(progress),
    )
    await _run(_native.sync, *args)


async def diff(opts: DiffOptions) -> list[DiffEntry]:
    """Compare the two sides of ``opts`` by their manifests.

    Returns rows sorted by path. A missing store or snapshot raises
    :class:`StoreError`.
    """
    if not isinstance(opts, DiffOptions):
        raise TypeError("diff() expects DiffOptions, got %s" % type(opts).__name__)
    rows = await _run(
        _native.diff, list(opts._from), list(opts._to), opts._all, opts._last_wins
    )
    return [_new(DiffEntry, status=s, path=p) for s, p in rows]


async def verify(
    snapshot_id: SnapshotId | str,
    store: StoreUri | str,
    *,
    progress: ProgressCallback | None = None,
) -> bool:
    """Re-hash every object of a snapshot in ``store``.

    Returns True when all is well; a corrupt or missing object raises
    :class:`HashMismatchError` (or :class:`StoreError`).
    """
    args = (_id_text(snapshot_id), _store_text(store), _progress_adapter(progress))
    return await _run(_native.verify, *args)
