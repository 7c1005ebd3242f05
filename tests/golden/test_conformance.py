# SPDX-License-Identifier: MIT
"""Randomized conformance: seeded random trees (randtree.py), walked by the
CLI and by the independent Python reference walker (refwalk.py); manifests
must be byte-identical and ids equal, in every option combination.

Seeds: SNAPDIR_TEST_SEEDS="1 2 3" replaces the default list. Every failure
message starts with the seed; rebuild that tree by hand with
`python3 -c 'import randtree; randtree.build(SEED, "/some/dir")'`.
"""
import os

import pytest

import randtree
import refwalk
import sdtest

SEEDS = [int(s) for s in os.environ.get("SNAPDIR_TEST_SEEDS", "").split()] or \
    [7, 2026, 31337]

CONTEXT = "snapdir conformance 2026-06-24 keyed \u2014 test"
FAKE_HOME = "/nonexistent-sd-home"
FAKE_CACHE = "/nonexistent-sd-cache"

SYSTEM = ("(^(/vscode/|/dev/|/proc/|/sys/|/tmp/|/var/run/|/run/|/mnt/|/media/|"
          "/lost+found/|/var/snap/lxd/common/ns/shmounts/|"
          "/var/snap/lxd/common/ns/mntns/|/var/lib/lxcfs/|")
COMMON = ("(/(.cache|.git|.DS_Store|.vscode-server|.dbus|.gvfs|"
          ".local/share/gvfs-metadata|.local/share/Trash|.Trash|node_modules|"
          "Trash-1000)($|/))")


def ere_escape(s):
    return "".join("\\" + c if c in "\\^$.|?*+()[]{}" else c for c in s)


def system_macro():
    return (SYSTEM + ere_escape(FAKE_HOME) + "/.cache/|" + ere_escape(FAKE_CACHE)
            + "))")


class Case:
    """One option combination: CLI flags and environment, and the matching
    reference walker arguments."""

    def __init__(self, name, flags=(), *, follow=True, absolute=False,
                 excludes=None, ref_excludes=None, algo="blake3", context=None,
                 env=None):
        self.name = name
        self.flags = list(flags)
        self.follow = follow
        self.absolute = absolute
        self.excludes = list(excludes or [])
        self.ref_excludes = list(ref_excludes if ref_excludes is not None
                                 else self.excludes)
        self.algo = algo
        self.context = context
        self.env = dict(env or {})
        for pat in self.excludes:
            self.flags += ["--exclude", pat]

    def reference(self, root):
        return refwalk.manifest_text(
            root, follow=self.follow, absolute=self.absolute,
            excludes=self.ref_excludes, root_abs=os.path.realpath(root),
            hasher=refwalk.Hasher(self.algo, self.context))


def cases_for(root):
    root = os.path.realpath(root)
    anchored = "^" + ere_escape(root) + "/sizes/s1"
    return [
        Case("default"),
        Case("no-follow", ["--no-follow"], follow=False),
        Case("absolute", ["--absolute"], absolute=True),
        Case("absolute-no-follow", ["--absolute", "--no-follow"], absolute=True,
             follow=False),
        Case("md5", ["--checksum-bin", "md5sum"], algo="md5"),
        Case("sha256", ["--checksum-bin", "sha256sum"], algo="sha256"),
        Case("sha256-absolute-no-follow",
             ["--checksum-bin", "sha256sum", "--absolute", "--no-follow"],
             algo="sha256", absolute=True, follow=False),
        Case("keyed", context=CONTEXT, env={"SNAPDIR_MANIFEST_CONTEXT": CONTEXT}),
        Case("keyed-no-follow", ["--no-follow"], follow=False, context=CONTEXT,
             env={"SNAPDIR_MANIFEST_CONTEXT": CONTEXT}),
        Case("b3sum-explicit", ["--checksum-bin", "b3sum"]),
        # excludes: POSIX ERE, anywhere in the absolute path
        Case("exclude-dir", excludes=["/skipdir$"]),
        Case("exclude-children-only", excludes=["/skipdir/"]),
        Case("exclude-or-anchored", excludes=[r"\.tmp$", anchored]),
        Case("exclude-via-link-path", excludes=["/links/outside-dir/sub$",
                                                "/to-nest/up-big/f0[0-4]"]),
        Case("exclude-unicode", excludes=["(café|файл|🦀)"]),
        Case("exclude-root-never-tested", excludes=["/walkroot($|/)"]),
        Case("exclude-bracket-class", excludes=["/f[0-9]*[13579]$", "/[.-][^/]*$"]),
        Case("exclude-common-macro", excludes=["%common%"], ref_excludes=[COMMON]),
        Case("exclude-system-macro", excludes=["%system%"],
             ref_excludes=[system_macro()], follow=False,
             env={"HOME": FAKE_HOME, "SNAPDIR_CACHE_DIR": FAKE_CACHE}),
        Case("exclude-absolute-md5", ["--absolute", "--checksum-bin", "md5sum"],
             excludes=["/big/", "s10"], absolute=True, algo="md5"),
    ]


CASE_NAMES = [c.name for c in cases_for("/x")]


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    built = {}
    for seed in SEEDS:
        base = tmp_path_factory.mktemp(f"seed{seed}-")
        built[seed] = randtree.build(seed, base)
    return built


def check_manifest(seed, label, want, got):
    if got != want:
        print(f"FAILING SEED: {seed} ({label})")
    assert got == want, sdtest.describe_diff(want, got, f"seed={seed} {label}")


@pytest.mark.parametrize("case_name", CASE_NAMES)
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_reference(trees, seed, case_name):
    tree = trees[seed]
    root = str(tree.root)
    case = {c.name: c for c in cases_for(root)}[case_name]
    want = case.reference(root)
    assert want.count(b"\n") > 1 or case_name == "exclude-root-never-tested" \
        or case_name == "exclude-system-macro"

    got = sdtest.manifest(root, *case.flags, env=case.env)
    check_manifest(seed, case.name, want, got)

    want_id = sdtest.id_line(want)
    got_piped = sdtest.id_of_stdin(got)
    assert got_piped == want_id, f"seed={seed} {case.name}: piped id"
    if "--checksum-bin" not in case.flags:  # `id` walks with BLAKE3 only
        got_id = sdtest.snapshot_id(root, *case.flags, env=case.env)
        assert got_id == want_id, f"seed={seed} {case.name}: id of directory"


@pytest.mark.parametrize("seed", SEEDS)
def test_walk_jobs_do_not_change_output(trees, seed):
    root = str(trees[seed].root)
    want = refwalk.manifest_text(root, root_abs=os.path.realpath(root))
    default = sdtest.manifest(root)
    check_manifest(seed, "default jobs", want, default)
    for jobs in ("1", "2", "3", "16"):
        got = sdtest.manifest(root, "--walk-jobs", jobs)
        check_manifest(seed, f"--walk-jobs {jobs}", default, got)
    got = sdtest.manifest(root, env={"SNAPDIR_WALK_JOBS": "1"})
    check_manifest(seed, "SNAPDIR_WALK_JOBS=1", default, got)
    got = sdtest.manifest(root, "--walk-jobs", "1", "--no-follow")
    check_manifest(seed, "--walk-jobs 1 --no-follow",
                   sdtest.manifest(root, "--no-follow"), got)


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_root_spelling_is_normalised(trees, seed):
    """foo, ./foo, foo/ and ./foo/ give the same manifest, relative and
    absolute, and excludes see the absolute path."""
    tree = trees[seed]
    base = os.path.realpath(tree.base)
    root = os.path.join(base, "walkroot")
    anchored = "^" + ere_escape(root) + "/(a|big)$"
    for flags, kw in ((), {}), (("--absolute",), {"absolute": True}), \
            (("--exclude", anchored), {"excludes": [anchored]}):
        want = refwalk.manifest_text(root, root_abs=root, **kw)
        for spelling in ("walkroot", "./walkroot", "walkroot/", "./walkroot/",
                         root + "/"):
            got = sdtest.manifest(spelling, *flags, cwd=base)
            check_manifest(seed, f"{spelling!r} {flags}", want, got)
        assert sdtest.snapshot_id("./walkroot/", *flags, cwd=base) == \
            sdtest.id_line(want)


@pytest.mark.parametrize("seed", SEEDS)
def test_tree_has_the_advertised_features(trees, seed):
    """The generator really produced what the reference comparison relies
    on (so a silent generator change cannot hollow the test out)."""
    tree = trees[seed]
    r = tree.root
    lines = refwalk.walk(str(r), root_abs=os.path.realpath(r))
    paths = [ln.split(b" ", 4)[4].decode() for ln in lines]
    assert len(os.listdir(r / "big")) > 200
    assert os.path.getsize(r / "sizes/s1048577") == 1048577
    for p in ("./a-", "./a.txt", "./a/", "./a/x", "./a0"):
        assert p in paths, p
    assert paths.index("./a.txt") < paths.index("./a/") < paths.index("./a/x") \
        < paths.index("./a0")
    # followed links present, dangling/looping/special ones absent
    for p in ("./links/to-file", "./links/chain-1", "./links/dchain-1/",
              "./links/outside-dir/sub/deep.bin", "./links/to-nest/up-big/"):
        assert p in paths, p
    for p in ("./links/dangling", "./links/cycle-a", "./links/loop-to-root/",
              "./links/loop-to-self/", "./fifo", "./sock", "./links/to-fifo",
              "./nest/up-root/", "./links/through-file"):
        assert p not in paths, p
    modes = {ln.split(b" ")[1] for ln in lines}
    assert {b"4755", b"2755", b"1777", b"700", b"600", b"777"} <= modes
