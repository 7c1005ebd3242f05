# SPDX-License-Identifier: MIT
"""The package and the CLI agree: same ids, same manifests, one cache."""

import os
import subprocess
from pathlib import Path

import pytest

import snapdir
from snapdir import SnapshotId, StoreUri

from conftest import many_files, sha_tree, write_tree


@pytest.fixture
def varied_tree(tmp_path: Path) -> Path:
    root = write_tree(
        tmp_path / "varied",
        {
            "a.txt": b"alpha\n",
            "dir/b.bin": bytes(range(256)) * 40,
            "dir/sub/c": b"",
            "ünïcödé/ß.txt": "grüße".encode(),
            "spaces in name.txt": b"s p a c e s",
            "dup1": b"same",
            "dup2": b"same",
        },
    )
    (root / "empty-dir").mkdir()
    (root / "a.txt").chmod(0o600)
    (root / "dir" / "b.bin").chmod(0o755)
    (root / "dir" / "sub").chmod(0o750)
    (root / "link-file").symlink_to("a.txt")
    (root / "link-dir").symlink_to("dir")
    (root / "dangling").symlink_to("nowhere")
    many_files(root / "many", 3, 30, 5000)
    return root


async def test_id_equals_the_cli(varied_tree, tree_a, tree_5000, cli):
    for tree in (varied_tree, tree_a, tree_5000):
        assert await snapdir.id(tree) == cli.text("id", tree).strip()


@pytest.mark.parametrize(
    "kwargs, flags",
    [
        ({}, []),
        ({"no_follow": True}, ["--no-follow"]),
        ({"absolute": True}, ["--absolute"]),
        ({"exclude": [r"\.bin$", "sub"]}, ["--exclude", r"\.bin$", "--exclude", "sub"]),
        (
            {"no_follow": True, "absolute": True, "exclude": ["many"]},
            ["--no-follow", "--absolute", "--exclude", "many"],
        ),
    ],
)
async def test_options_agree_with_the_cli(varied_tree, cli, kwargs, flags):
    m = await snapdir.manifest(varied_tree, **kwargs)
    assert m.raw + "\n" == cli.text("manifest", *flags, varied_tree)
    assert await snapdir.id(varied_tree, **kwargs) == cli.text("id", *flags, varied_tree).strip()
    assert snapdir.id_from_manifest(m) == await snapdir.id(varied_tree, **kwargs)


async def test_id_of_the_manifest_text_agrees_with_the_cli(varied_tree, cli):
    m = await snapdir.manifest(varied_tree)
    out = subprocess.run(
        [cli.bin, "id"],
        input=(m.raw + "\n").encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert out.strip() == snapdir.id_from_manifest(m)


async def test_relative_path_from_the_same_cwd(varied_tree, cli, monkeypatch):
    monkeypatch.chdir(varied_tree.parent)
    assert await snapdir.id(varied_tree.name) == cli.text("id", varied_tree.name).strip()


async def test_cli_push_package_pull_and_back(tmp_path, varied_tree, cli):
    store = "file://" + str(tmp_path / "store")
    cli_id = cli.text("push", "--store", store, varied_tree).strip()
    assert cli_id == await snapdir.id(varied_tree)
    await snapdir.pull(SnapshotId(cli_id), StoreUri(store), tmp_path / "out")
    # (followed links come back as plain files and directories)
    assert sha_tree(tmp_path / "out" / "link-dir") == sha_tree(varied_tree / "dir")
    assert sha_tree(tmp_path / "out" / "many") == sha_tree(varied_tree / "many")
    # the package pushes, the CLI verifies and pulls
    other = "file://" + str(tmp_path / "store2")
    py_id = await snapdir.push(varied_tree / "many", other)
    cli.run("verify", "--store", other, "--id", py_id)
    cli.run("pull", "--store", other, "--id", py_id, tmp_path / "out2")
    assert sha_tree(tmp_path / "out2") == sha_tree(varied_tree / "many")


async def test_one_cache_for_cli_and_package(tmp_path, tree_a, cli, cache_dir):
    # the CLI stages, the package checks out from the same cache
    staged = cli.text("stage", tree_a).strip()
    await snapdir.checkout(staged, tmp_path / "co")
    assert sha_tree(tmp_path / "co") == sha_tree(tree_a)
    # and the catalog sees the package's stage too
    py_staged = await snapdir.stage(tree_a)
    assert py_staged == staged
    locations = cli.text("locations")
    assert staged in locations


async def test_xdg_cache_matches_the_cli(tmp_path, tree_a, cli, monkeypatch):
    monkeypatch.delenv("SNAPDIR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    sid = await snapdir.stage(tree_a)
    cli.run("checkout", "--id", sid, tmp_path / "out")
    assert sha_tree(tmp_path / "out") == sha_tree(tree_a)
    assert os.path.isdir(tmp_path / "xdg" / "snapdir" / ".objects")


async def test_diff_agrees_with_the_cli(tmp_path, cli):
    a = write_tree(tmp_path / "a", {"same": b"1", "gone": b"2", "mod": b"3"})
    b = write_tree(tmp_path / "b", {"same": b"1", "new": b"4", "mod": b"5"})
    s = "file://" + str(tmp_path / "s")
    ia = await snapdir.push(a, s)
    ib = await snapdir.push(b, s)
    rows = await snapdir.diff(snapdir.DiffOptions.from_refs([f"{s}@{ia}"], [f"{s}@{ib}"]))
    text = cli.text("diff", "--from", f"{s}@{ia}", "--to", f"{s}@{ib}")
    cli_rows = [tuple(line.split("\t", 1)) for line in text.splitlines() if line.strip()]
    assert [(r.status, r.path) for r in rows] == cli_rows
