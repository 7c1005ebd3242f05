# SPDX-License-Identifier: MIT
"""SnapshotId, StoreUri and DiffOptions: validation and value semantics."""

import copy
import pickle

import pytest

import snapdir
from snapdir import DiffOptions, SnapdirError, SnapshotId, StoreUri

HEX = "0123456789abcdef" * 4


# ---- SnapshotId -------------------------------------------------------------


def test_snapshot_id_accepts_64_lowercase_hex():
    sid = SnapshotId(HEX)
    assert str(sid) == HEX
    assert repr(sid) == 'SnapshotId("%s")' % HEX


def test_snapshot_id_folds_upper_case():
    assert str(SnapshotId(HEX.upper())) == HEX
    assert str(SnapshotId("AB" * 32)) == "ab" * 32
    assert SnapshotId(HEX.upper()) == SnapshotId(HEX)
    assert hash(SnapshotId(HEX.upper())) == hash(SnapshotId(HEX))


@pytest.mark.parametrize(
    "text, message",
    [
        ("not-hex", "snapshot id must be exactly 64 hex characters, got 7 characters"),
        ("", "snapshot id must be exactly 64 hex characters, got 0 characters"),
        (HEX + "0", "snapshot id must be exactly 64 hex characters, got 65 characters"),
        (HEX[:-1] + "g", 'non-hex character in snapshot id: "%s"' % (HEX[:-1] + "g")),
        (" " + HEX[1:], "non-hex character in snapshot id"),
        # the length is counted in UTF-8 bytes, as in the reference
        ("é" * 32, "non-hex character in snapshot id"),
        ("é" * 31 + "a", "got 63 characters"),
        (HEX[:-1] + "\0", "non-hex character in snapshot id"),
    ],
)
def test_snapshot_id_rejects_everything_else(text, message):
    with pytest.raises(SnapdirError) as info:
        SnapshotId(text)
    assert info.value.code == "INVALID_ID"
    assert str(info.value).startswith("invalid snapshot id: ")
    assert message in str(info.value)
    assert type(info.value) is SnapdirError


@pytest.mark.parametrize("value", [None, 42, b"ab" * 32, ["a"]])
def test_snapshot_id_requires_str(value):
    with pytest.raises(TypeError):
        SnapshotId(value)


def test_snapshot_id_value_semantics():
    a, b, c = SnapshotId(HEX), SnapshotId(HEX), SnapshotId("f" * 64)
    assert a == b and a is not b
    assert a != c
    assert len({a, b, c}) == 2
    assert a != HEX  # a value type, not a str
    assert {a: 1}[SnapshotId(HEX.upper())] == 1
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.deepcopy(a) == a


# ---- StoreUri ---------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "file:///tmp/store",
        "file://",
        "s3://bucket/prefix",
        "gs://bucket/prefix",
        "gcs://bucket/prefix",
        "b2://bucket/prefix",
        "file:///path with spaces/é",
    ],
)
def test_store_uri_accepts_the_supported_schemes(uri):
    s = StoreUri(uri)
    assert str(s) == uri
    assert repr(s) == 'StoreUri("%s")' % uri
    assert s.scheme == uri.split(":")[0]


@pytest.mark.parametrize(
    "uri, detail",
    [
        ("/tmp/store", 'no scheme found in store URI: "/tmp/store"'),
        ("://x", 'empty scheme in store URI: "://x"'),
        ("FILE:///x", 'invalid scheme "FILE" in store URI: "FILE:///x"'),
        ("fi_le:///x", 'invalid scheme "fi_le"'),
        ("file:/x", "store URI must use '://' separator: \"file:/x\""),
        (
            "ftp://host/x",
            'unknown store scheme "ftp": accepted schemes are file, s3, gs, gcs, b2',
        ),
        ("ssh://host/x", 'unknown store scheme "ssh"'),
        ("mem://", 'unknown store scheme "mem"'),
        ("", 'no scheme found in store URI: ""'),
        ('/a"b\n', r'no scheme found in store URI: "/a\"b\n"'),
    ],
)
def test_store_uri_rejects_other_text(uri, detail):
    with pytest.raises(SnapdirError) as info:
        StoreUri(uri)
    assert info.value.code == "INVALID_STORE"
    assert str(info.value).startswith("invalid store URI: ")
    assert detail in str(info.value)


def test_store_uri_requires_str():
    with pytest.raises(TypeError):
        StoreUri(b"file:///x")  # type: ignore[arg-type]


def test_store_uri_value_semantics():
    a, b = StoreUri("file:///a"), StoreUri("file:///a")
    assert a == b and hash(a) == hash(b)
    assert a != StoreUri("file:///b")
    assert a != "file:///a"
    assert pickle.loads(pickle.dumps(a)) == a


# ---- DiffOptions ------------------------------------------------------------


def test_from_refs_accepts_store_uris_strings_and_pinned_refs():
    opts = DiffOptions.from_refs(
        [StoreUri("file:///a"), "s3://b/p@" + HEX],
        ("gcs://c", "file:///d@" + HEX.upper()),
    )
    assert repr(opts) == (
        'DiffOptions(from=["file:///a", "s3://b/p@%s"], to=["gcs://c", "file:///d@%s"])'
        % (HEX, HEX.upper())
    )


def test_from_refs_empty_sides_are_allowed():
    assert repr(DiffOptions.from_refs([], [])) == "DiffOptions(from=[], to=[])"


@pytest.mark.parametrize("bad", ["/no/scheme", "FILE:///x", "ftp://x", "mem://@" + HEX])
def test_from_refs_rejects_bad_strings_with_value_error(bad):
    with pytest.raises(ValueError, match="invalid store URI: "):
        DiffOptions.from_refs([bad], [])
    with pytest.raises(ValueError):
        DiffOptions.from_refs([], ["file:///ok", bad])


def test_from_refs_an_at_sign_without_an_id_is_part_of_the_uri():
    # the library splits only "URI@<64 hex>"; anything else is a plain URI
    DiffOptions.from_refs(["file:///a@b"], ["file:///x@" + HEX[:-1]])


@pytest.mark.parametrize("bad", ["file:///a", b"x", StoreUri("file:///a"), None, 3])
def test_from_refs_requires_sequences(bad):
    with pytest.raises(TypeError):
        DiffOptions.from_refs(bad, [])
    with pytest.raises(TypeError):
        DiffOptions.from_refs([], bad)


@pytest.mark.parametrize("item", [3, None, b"file:///x", SnapshotId(HEX)])
def test_from_refs_items_must_be_store_uris_or_str(item):
    with pytest.raises(TypeError, match="expected StoreUri or str"):
        DiffOptions.from_refs([item], [])


def test_diff_options_has_no_public_constructor():
    with pytest.raises(TypeError):
        DiffOptions()


def test_diff_options_value_semantics_and_flags():
    a = DiffOptions.from_refs(["file:///a"], ["file:///b"])
    b = DiffOptions.from_refs([StoreUri("file:///a")], [StoreUri("file:///b")])
    assert a == b and hash(a) == hash(b)
    assert a != DiffOptions.from_refs(["file:///b"], ["file:///a"])
    c = DiffOptions.from_refs(["file:///a"], ["file:///b"], include_unchanged=True)
    assert c != a
    assert repr(c).endswith(", include_unchanged=True)")
    assert pickle.loads(pickle.dumps(c)) == c
    with pytest.raises(TypeError):
        DiffOptions.from_refs([], [], include_unchanged=1)


# ---- immutability and finality ----------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        SnapshotId(HEX),
        StoreUri("file:///a"),
        DiffOptions.from_refs([], []),
    ],
)
def test_values_are_immutable(value):
    with pytest.raises(AttributeError):
        value.anything = 1
    for attr in ("_hex", "_uri", "_from"):
        if hasattr(value, attr):
            with pytest.raises(AttributeError):
                setattr(value, attr, "x")
            with pytest.raises(AttributeError):
                delattr(value, attr)
    assert not hasattr(value, "__dict__")


@pytest.mark.parametrize(
    "cls",
    [
        SnapshotId,
        StoreUri,
        DiffOptions,
        snapdir.Manifest,
        snapdir.ManifestEntry,
        snapdir.DiffEntry,
    ],
)
def test_classes_are_final(cls):
    with pytest.raises(TypeError):
        type("Sub", (cls,), {})
