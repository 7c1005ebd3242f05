# SPDX-License-Identifier: MIT
"""manifest(), id(), id_from_manifest() and the result types."""

import os
import re
from pathlib import Path

import pytest

import snapdir
from snapdir import Manifest, ManifestEntry, PathType

from conftest import write_tree

HEX64 = re.compile(r"[0-9a-f]{64}\Z")


async def test_await_manifest_and_id_yield_results(tree_a):
    m = await snapdir.manifest(tree_a)
    assert isinstance(m, Manifest)
    i = await snapdir.id(tree_a)
    assert isinstance(i, str) and HEX64.match(i)
    assert snapdir.id_from_manifest(m) == i


async def test_raw_is_the_manifest_text_without_final_newline(tree_a, cli):
    m = await snapdir.manifest(tree_a)
    assert not m.raw.endswith("\n")
    assert m.raw + "\n" == cli.text("manifest", tree_a)
    lines = m.raw.split("\n")
    assert len(lines) == len(m.entries) == len(m)
    for line, e in zip(lines, m.entries):
        t, perm, checksum, size, path = line.split(" ", 4)
        assert e.path == path
        assert e.path_type is (PathType.File if t == "F" else PathType.Directory)
        assert e.permissions == int(perm, 8)
        assert e.checksum == checksum
        assert e.size == int(size)


async def test_entries_fields_and_types(tree_a):
    m = await snapdir.manifest(tree_a)
    entries = m.entries
    assert entries[0].path == "./" and entries[0].path_type is PathType.Directory
    by_path = {e.path: e for e in entries}
    assert set(by_path) == {"./", "./empty.txt", "./hello.txt", "./nested/", "./nested/inner.bin"}
    hello = by_path["./hello.txt"]
    assert hello.path_type.name == "File"
    assert hello.permissions == 0o644
    assert hello.size == 12 and type(hello.size) is int
    assert HEX64.match(hello.checksum)
    assert by_path["./empty.txt"].size == 0
    assert min(e.size for e in entries) == 0
    # a directory's size is the sum of its direct children
    assert by_path["./nested/"].size == len(b"\x00\x01\x02\x03payload")
    with pytest.raises(TypeError):
        hello["path"]


async def test_permissions_are_parsed_as_octal(tmp_path):
    root = write_tree(tmp_path / "t", {"a": b"a", "b": b"b"})
    (root / "a").chmod(0o755)
    (root / "b").chmod(0o4755)
    m = await snapdir.manifest(root)
    perms = {e.path: e.permissions for e in m.entries}
    assert perms["./a"] == 0o755 == 493
    assert perms["./b"] == 0o4755 == 2541


async def test_reprs(tree_a):
    m = await snapdir.manifest(tree_a)
    assert repr(m) == "Manifest(entries=5, raw_len=%d)" % len(m.raw.encode())
    hello = [e for e in m.entries if e.path == "./hello.txt"][0]
    assert repr(hello) == 'ManifestEntry(path="./hello.txt", path_type=File, size=12)'
    assert repr(PathType.File) == "PathType.File"
    assert str(PathType.Directory) == "Directory"


async def test_raw_len_counts_utf8_bytes(tmp_path):
    root = write_tree(tmp_path / "u", {"héllo-ß.txt": b"x"})
    m = await snapdir.manifest(root)
    assert "héllo-ß.txt" in m.raw
    assert repr(m) == "Manifest(entries=2, raw_len=%d)" % len(m.raw.encode("utf-8"))
    assert len(m.raw.encode("utf-8")) > len(m.raw)
    assert snapdir.id_from_manifest(m) == await snapdir.id(root)


async def test_results_are_immutable(tree_a):
    m = await snapdir.manifest(tree_a)
    e = m.entries[0]
    for obj, attr in ((m, "raw"), (m, "entries"), (e, "path"), (e, "size"), (e, "checksum")):
        with pytest.raises(AttributeError):
            setattr(obj, attr, None)
    with pytest.raises(AttributeError):
        m.extra = 1
    # entries is a fresh list: mutating it changes nothing
    got = m.entries
    got.clear()
    assert len(m.entries) == 5
    assert m.entries == m.entries and m.entries is not m.entries


@pytest.mark.parametrize("cls", [Manifest, ManifestEntry, snapdir.DiffEntry])
def test_results_have_no_public_constructor(cls):
    with pytest.raises(TypeError):
        cls()


async def test_results_compare_by_value(tree_a, tmp_path):
    m1 = await snapdir.manifest(tree_a)
    m2 = await snapdir.manifest(tree_a)
    assert m1 == m2 and hash(m1) == hash(m2)
    assert m1.entries == m2.entries
    assert len(set(m1.entries) | set(m2.entries)) == 5
    other = write_tree(tmp_path / "o", {"x": b"y"})
    assert await snapdir.manifest(other) != m1


def test_id_from_manifest_requires_a_manifest():
    with pytest.raises(TypeError):
        snapdir.id_from_manifest("F 644 00 1 ./x")  # type: ignore[arg-type]


async def test_id_from_manifest_is_sync_and_consistent(tree_a):
    m = await snapdir.manifest(tree_a)
    got = snapdir.id_from_manifest(m)
    assert isinstance(got, str) and HEX64.match(got)
    assert got == await snapdir.id(tree_a)


async def test_str_pathlib_and_bytes_paths_are_equivalent(tree_a):
    by_str = await snapdir.id(str(tree_a))
    assert await snapdir.id(Path(tree_a)) == by_str
    assert await snapdir.id(os.fsencode(tree_a)) == by_str
    assert (await snapdir.manifest(Path(tree_a))).raw == (await snapdir.manifest(str(tree_a))).raw


async def test_relative_paths_resolve_against_the_cwd(tree_a, monkeypatch):
    monkeypatch.chdir(tree_a.parent)
    assert await snapdir.id(tree_a.name) == await snapdir.id(tree_a)
    assert await snapdir.id("./" + tree_a.name + "/") == await snapdir.id(tree_a)


async def test_distinct_trees_have_distinct_ids_and_reruns_agree(tree_a, tree_b):
    a1, b1, a2 = await snapdir.id(tree_a), await snapdir.id(tree_b), await snapdir.id(tree_a)
    assert a1 != b1 and a1 == a2


# ---- options (ported from the reference's python_manifest_options.py) -------


@pytest.fixture
def links_tree(tmp_path: Path) -> Path:
    root = write_tree(
        tmp_path / "tree",
        {
            "real/inner.txt": b"inner\n",
            "target.txt": b"target-bytes\n",
            "drop.tmp": b"temp\n",
            "keep.log": b"log\n",
        },
    )
    (root / "link_to_dir").symlink_to("real")
    (root / "link_to_file").symlink_to("target.txt")
    return root


async def test_follow_is_the_default_and_no_follow_leaves_links_out(links_tree):
    follow = await snapdir.manifest(links_tree)
    no_follow = await snapdir.manifest(links_tree, no_follow=True)
    explicit = await snapdir.manifest(links_tree, no_follow=False)
    assert follow.raw == explicit.raw
    assert follow.raw != no_follow.raw
    assert any(re.search(r"(^|/)link_to_dir/", e.path) for e in follow.entries)
    assert not any("link_to" in e.path for e in no_follow.entries)
    assert len(follow.entries) > len(no_follow.entries)
    for opts in ({}, {"no_follow": True}, {"no_follow": False}):
        m = await snapdir.manifest(links_tree, **opts)
        assert snapdir.id_from_manifest(m) == await snapdir.id(links_tree, **opts)
    assert await snapdir.id(links_tree) != await snapdir.id(links_tree, no_follow=True)


async def test_absolute_renders_absolute_paths(links_tree):
    real = os.path.realpath(links_tree)
    rel = await snapdir.manifest(links_tree)
    ab = await snapdir.manifest(links_tree, absolute=True)
    assert real not in rel.raw and real in ab.raw
    assert rel.entries[0].path == "./"
    assert ab.entries[0].path == real + "/"
    assert len(ab.entries) == len(rel.entries)
    assert {os.path.basename(e.path.rstrip("/")) for e in ab.entries[1:]} == {
        os.path.basename(e.path.rstrip("/")) for e in rel.entries[1:]
    }
    ab_id = await snapdir.id(links_tree, absolute=True)
    assert ab_id != await snapdir.id(links_tree)
    assert ab_id == snapdir.id_from_manifest(ab)


async def test_exclude_patterns(links_tree):
    base = await snapdir.manifest(links_tree)
    one = await snapdir.manifest(links_tree, exclude=[r"\.tmp$"])
    assert "drop.tmp" in base.raw and "drop.tmp" not in one.raw and "keep.log" in one.raw
    both = await snapdir.manifest(links_tree, exclude=[r"\.tmp$", r"\.log$"])
    assert "drop.tmp" not in both.raw and "keep.log" not in both.raw
    assert "target.txt" in both.raw
    alternation = await snapdir.manifest(links_tree, exclude=["drop|keep"])
    assert "drop.tmp" not in alternation.raw and "keep.log" not in alternation.raw
    nested = await snapdir.manifest(links_tree, exclude=["inner"])
    assert "real/inner.txt" not in nested.raw and "./real/" in nested.raw
    assert (await snapdir.manifest(links_tree, exclude=[])).raw == base.raw
    assert (await snapdir.manifest(links_tree, exclude=())).raw == base.raw
    assert await snapdir.id(links_tree, exclude=[r"\.log$"]) == await snapdir.id(
        links_tree, exclude=[r"keep\.log$"]
    )
    assert await snapdir.id(links_tree, exclude=[r"\.tmp$"]) != await snapdir.id(links_tree)


async def test_combined_options(links_tree):
    opts = {"no_follow": True, "absolute": True, "exclude": [r"\.tmp$"]}
    m = await snapdir.manifest(links_tree, **opts)
    assert snapdir.id_from_manifest(m) == await snapdir.id(links_tree, **opts)
    assert os.path.realpath(links_tree) in m.raw and "drop.tmp" not in m.raw
    assert await snapdir.id(links_tree, **opts) != await snapdir.id(links_tree)


async def test_invalid_exclude_pattern_is_an_io_error(tree_a):
    with pytest.raises(snapdir.SnapdirError) as info:
        await snapdir.manifest(tree_a, exclude=["("])
    assert info.value.code == "IO_ERROR"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"no_follow": 1},
        {"absolute": "yes"},
        {"exclude": r"\.tmp$"},
        {"exclude": [1]},
        {"exclude": b"x"},
        {"progress": 3},
    ],
)
async def test_bad_option_types_raise_type_error_at_await(tree_a, kwargs):
    coro = snapdir.manifest(tree_a, **kwargs)  # no error yet: lazily validated
    with pytest.raises(TypeError):
        await coro


@pytest.mark.parametrize("path", [None, 3, ["/tmp"]])
async def test_bad_path_types_raise_type_error(path):
    with pytest.raises(TypeError):
        await snapdir.id(path)


async def test_nul_in_path_is_a_value_error():
    with pytest.raises(ValueError):
        await snapdir.id("/tmp\0x")
