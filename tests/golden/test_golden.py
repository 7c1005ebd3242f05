# SPDX-License-Identifier: MIT
"""Golden conformance: rebuild the fixture trees of FIXTURES.md and compare
the CLI's manifests and ids byte-for-byte with the frozen captures."""
import os
import stat

import pytest

import golden_trees
import refwalk
import sdtest

# capture -> (tree, extra manifest flags, data directory)
# symlinks-follow and unicode-paths use the Linux-derived captures: the
# committed oracle output was produced on macOS (see FIXTURES.md caveats).
CAPTURES = {
    "empty": ("empty", [], "expected"),
    "single-file": ("single-file", [], "expected"),
    "nested": ("nested", [], "expected"),
    "unicode-paths": ("unicode-paths", [], "expected-linux-derived"),
    "symlinks-follow": ("symlinks", [], "expected-linux-derived"),
    "symlinks-nofollow": ("symlinks", ["--no-follow"], "expected"),
    "identical-content": ("identical-content", [], "expected"),
    "large-tree": ("large-tree", [], "expected"),
    "permissions": ("permissions", [], "expected"),
}

EMPTY_B3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    base = tmp_path_factory.mktemp("golden")
    return golden_trees.build_all(base)


def expected(capture):
    _, _, where = CAPTURES[capture]
    d = sdtest.golden_dir() / where
    return (d / f"{capture}.manifest").read_bytes(), (d / f"{capture}.id").read_bytes()


def tree_and_flags(trees, capture):
    tree, flags, _ = CAPTURES[capture]
    return str(trees[tree]), flags


# ---- the trees are what FIXTURES.md describes ----------------------------

def test_escape_link_dangles(trees):
    root = trees["symlinks"]
    assert os.readlink(root / "escape") == "../../etc/hostname"
    assert not os.path.exists(root / "escape"), \
        "escape resolves: the trees must sit two levels below a dir without etc/hostname"
    assert not os.path.exists(root / "broken")
    assert os.path.isfile(root / "hop-a") and os.path.isdir(root / "link-to-dir")


def test_special_mode_bits_kept(trees):
    # FIXTURES.md allows a fallback to 0755 when the kernel strips a set-id
    # bit; this suite does not: a stripped bit must fail loudly.
    root = trees["permissions"]
    for name, mode in (("setuid.bin", 0o4755), ("setgid.bin", 0o2755),
                       ("sticky", 0o1777), ("lockeddir", 0o700),
                       ("world-read.txt", 0o444)):
        got = stat.S_IMODE(os.lstat(root / name).st_mode)
        assert got == mode, f"{name}: mode {got:o}, want {mode:o} (bit stripped?)"


def test_unicode_names_distinct_on_this_fs(trees):
    names = set(os.listdir(os.fsencode(trees["unicode-paths"])))
    assert names == set(golden_trees.UNICODE_NAMES), \
        "the filesystem merged or altered names (normalization-insensitive?)"


def test_large_tree_shape(trees):
    root = trees["large-tree"]
    subs = sorted(os.listdir(root))
    assert len(subs) == 100 and subs[10] == "0a" and subs[-1] == "63"
    assert all(len(os.listdir(root / s)) == 100 for s in subs)


# ---- the captures ------------------------------------------------------------

@pytest.mark.parametrize("capture", list(CAPTURES))
def test_golden_data_consistent(capture):
    text, ident = expected(capture)
    assert text.endswith(b"\n") and not text.endswith(b"\n\n")
    assert ident == sdtest.id_line(text), f"{capture}.id is not BLAKE3 of its manifest"


@pytest.mark.parametrize("capture", list(CAPTURES))
def test_manifest_matches_capture(trees, capture):
    path, flags = tree_and_flags(trees, capture)
    want, _ = expected(capture)
    got = sdtest.manifest(path, *flags)
    assert got == want, sdtest.describe_diff(want, got, capture)


@pytest.mark.parametrize("capture", list(CAPTURES))
def test_id_of_directory(trees, capture):
    path, flags = tree_and_flags(trees, capture)
    _, want = expected(capture)
    assert sdtest.snapshot_id(path, *flags) == want


@pytest.mark.parametrize("capture", list(CAPTURES))
def test_id_of_piped_manifest(trees, capture):
    path, flags = tree_and_flags(trees, capture)
    _, want = expected(capture)
    text = sdtest.manifest(path, *flags)
    assert sdtest.id_of_stdin(text) == want


@pytest.mark.parametrize("capture", list(CAPTURES))
def test_id_of_committed_manifest(capture):
    text, want = expected(capture)
    assert sdtest.id_of_stdin(text) == want


@pytest.mark.parametrize("capture", ["nested", "large-tree", "symlinks-follow",
                                     "unicode-paths"])
def test_single_walk_job_matches_capture(trees, capture):
    path, flags = tree_and_flags(trees, capture)
    want, _ = expected(capture)
    got = sdtest.manifest(path, "--walk-jobs", "1", *flags)
    assert got == want, sdtest.describe_diff(want, got, capture + " --walk-jobs 1")


@pytest.mark.parametrize("capture", list(CAPTURES))
def test_reference_walker_matches_capture(trees, capture):
    """Guards the oracle of test_conformance.py: the Python walker must
    reproduce every golden capture too."""
    tree, flags, _ = CAPTURES[capture]
    want, _ = expected(capture)
    got = refwalk.manifest_text(trees[tree], follow="--no-follow" not in flags,
                                root_abs=os.path.realpath(trees[tree]))
    assert got == want, sdtest.describe_diff(want, got, capture + " (reference walker)")


# ---- the spec's worked examples -------------------------------------------

def test_spec_worked_example(tmp_path):
    root = tmp_path / "example"
    root.mkdir()
    for name in ("bar.txt", "foo.txt"):
        (root / name).write_bytes(b"")
        os.chmod(root / name, 0o600)
    os.chmod(root, 0o700)
    want = (
        b"D 700 dba5865c0d91b17958e4d2cac98c338f85cbbda07b71a020ab16c391b5e7af4b 0 ./\n"
        b"F 600 " + EMPTY_B3.encode() + b" 0 ./bar.txt\n"
        b"F 600 " + EMPTY_B3.encode() + b" 0 ./foo.txt\n")
    got = sdtest.manifest(str(root))
    assert got == want, sdtest.describe_diff(want, got, "spec example")
    assert sdtest.snapshot_id(str(root)) == sdtest.id_line(want)


def test_empty_manifest_id():
    want = b"295192ea1ec8566d563b1a7587e5f0198580cdbd043842f5090a4c197c20c67a\n"
    assert sdtest.id_of_stdin(b"") == want
    assert sdtest.id_line(b"\n") == want
