"""`snapdir manifest`: golden bytes, path forms, hash modes, excludes."""

import os
import random
import re

import pytest

from sdhelpers import (EMPTY_B3, FOO_ID, FOO_TREE, GOLDEN_ID, GOLDEN_MANIFEST,
                       b3, make_tree, manifest_id, parse_manifest,
                       ref_manifest)


def test_golden_manifest_is_byte_exact(sd, golden):
    r = sd.ok("manifest", golden)
    assert r.out == GOLDEN_MANIFEST
    assert r.err == ""
    # the independent reference agrees with the spec's golden text
    assert ref_manifest(golden) == GOLDEN_MANIFEST


def test_golden_id(sd, golden):
    assert manifest_id(GOLDEN_MANIFEST) == GOLDEN_ID
    r = sd.ok("id", golden)
    assert r.out == (GOLDEN_ID + "\n").encode()


def test_default_path_is_cwd(sd, golden):
    assert sd.ok("manifest", cwd=golden).out == GOLDEN_MANIFEST
    assert sd.ok("manifest", ".", cwd=golden).out == GOLDEN_MANIFEST
    assert sd.ok("id", ".", cwd=golden).out == (GOLDEN_ID + "\n").encode()


def test_worked_example_from_format_spec(sd, base):
    root = make_tree(base / "w", {"bar.txt": (b"", 0o600),
                                  "foo.txt": (b"", 0o600)}, root_mode=0o700)
    assert sd.ok("manifest", root).out == (
        b"D 700 dba5865c0d91b17958e4d2cac98c338f85cbbda07b71a020ab16c391b5e7af4b 0 ./\n"
        b"F 600 af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 ./bar.txt\n"
        b"F 600 af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262 0 ./foo.txt\n")


def test_empty_directory(sd, base):
    root = make_tree(base / "e", {})
    assert sd.ok("manifest", root).out == b"D 755 %s 0 ./\n" % EMPTY_B3.encode()


FORMS = ["foo", "./foo", "foo/", "./foo/", "foo/.", "./foo/./", "foo//"]


@pytest.fixture
def foo(base):
    return make_tree(base / "foo", FOO_TREE)


def test_path_forms_give_identical_output(sd, base, foo):
    expected = ref_manifest(foo)
    assert manifest_id(expected) == FOO_ID
    for form in FORMS + [str(foo), str(foo) + "/"]:
        r = sd.ok("manifest", form, cwd=base)
        assert r.out == expected, form
        assert sd.ok("id", form, cwd=base).out == (FOO_ID + "\n").encode(), form


def test_absolute_root_line_and_forms(sd, base, foo):
    abs_root = str(foo)
    expected = ref_manifest(foo, absolute=True)
    for form in FORMS + [abs_root, abs_root + "/"]:
        r = sd.ok("manifest", "--absolute", form, cwd=base)
        assert r.out == expected, form
    rows = parse_manifest(expected)
    assert rows[0][4] == abs_root + "/"
    assert rows[0][0] == "D"
    assert all(row[4].startswith(abs_root + "/") for row in rows)
    assert [row[4] for row in rows] == [
        abs_root + "/", abs_root + "/a.txt", abs_root + "/bar.txt",
        abs_root + "/sub/", abs_root + "/sub/b.txt"]
    # checksums, sizes and perms are those of the relative manifest
    rel = parse_manifest(ref_manifest(foo))
    assert [r[:4] for r in rows] == [r[:4] for r in rel]
    # the id of an absolute manifest is the BLAKE3 of its text
    r = sd.ok("id", input=expected)
    assert r.out == (manifest_id(expected) + "\n").encode()
    assert r.out != (FOO_ID + "\n").encode()


@pytest.mark.parametrize("name", ["md5sum", "sha256sum"])
def test_checksum_bin_variants(sd, golden, name):
    kind = {"md5sum": "md5", "sha256sum": "sha256"}[name]
    expected = ref_manifest(golden, kind=kind)
    assert sd.ok("manifest", "--checksum-bin", name, golden).out == expected
    assert sd.ok("manifest", "--checksum-bin=" + name, golden).out == expected
    width = {"md5": 32, "sha256": 64}[kind]
    assert all(len(row[2]) == width for row in parse_manifest(expected))
    # the snapshot id of such a manifest is still plain BLAKE3 of its text
    r = sd.ok("id", input=expected)
    assert r.out == (manifest_id(expected) + "\n").encode()


def test_checksum_bin_b3sum_is_the_default(sd, golden):
    assert sd.ok("manifest", "--checksum-bin", "b3sum", golden).out == \
        GOLDEN_MANIFEST


@pytest.mark.parametrize("bogus", ["bogus", "md5", "SHA256SUM", ""])
def test_checksum_bin_bogus_fails(sd, golden, bogus):
    r = sd.fail("manifest", "--checksum-bin", bogus, golden,
                needles=["--checksum-bin"])
    assert "'%s'" % bogus in r.err


@pytest.mark.parametrize("context", ["sekret", "snapdir 2024 keyed context"])
def test_keyed_manifest(sd, golden, context):
    expected = ref_manifest(golden, key=context)
    assert expected != GOLDEN_MANIFEST
    env = {"SNAPDIR_MANIFEST_CONTEXT": context}
    assert sd.ok("manifest", golden, env=env).out == expected
    # every walking command uses the keyed sums; the id stays plain BLAKE3
    r = sd.ok("id", golden, env=env)
    assert r.out == (manifest_id(expected) + "\n").encode()


def test_empty_context_is_unkeyed(sd, golden):
    env = {"SNAPDIR_MANIFEST_CONTEXT": ""}
    assert sd.ok("manifest", golden, env=env).out == GOLDEN_MANIFEST


# ---- excludes -------------------------------------------------------------


def test_exclude_directory_drops_subtree(sd, golden):
    r = sd.ok("manifest", "--exclude", "sub", golden)
    expected = ref_manifest(golden, exclude=re.compile("sub"))
    assert r.out == expected
    assert [row[4] for row in parse_manifest(r.out)] == \
        ["./", "./a.txt", "./empty"]
    assert parse_manifest(r.out)[0][3] == 5  # root size shrinks
    assert parse_manifest(r.out)[0][2] != parse_manifest(GOLDEN_MANIFEST)[0][2]


def test_exclude_multiple_flags_and_comma_split(sd, golden):
    expected = ref_manifest(golden, exclude=re.compile(r"a\.txt|empty"))
    assert [row[4] for row in parse_manifest(expected)] == \
        ["./", "./sub/", "./sub/b.txt"]
    a = sd.ok("manifest", "--exclude", r"a\.txt", "--exclude", "empty", golden)
    b = sd.ok("manifest", "--exclude", r"a\.txt,empty", golden)
    c = sd.ok("manifest", r"--exclude=a\.txt,empty", golden)
    d = sd.ok("manifest", "--exclude", r"a\.txt,", "--exclude=,empty", golden)
    assert a.out == b.out == c.out == d.out == expected
    assert sd.ok("id", "--exclude", r"a\.txt,empty", golden).out == \
        (manifest_id(expected) + "\n").encode()


@pytest.mark.parametrize("pattern,dropped", [
    (r"b\.txt$", ["./sub/b.txt"]),
    ("/sub$", ["./sub/", "./sub/b.txt"]),        # dirs tested without '/'
    ("/sub/$", []),
    ("^sub", []),                                # paths are absolute
    ("^/", ["./a.txt", "./empty", "./sub/", "./sub/b.txt"]),
    (".", ["./a.txt", "./empty", "./sub/", "./sub/b.txt"]),
    ("/golden$", []),                            # the root is never tested
    ("/(a|e)[a-z.]*$", ["./a.txt", "./empty"]),  # ERE alternation
    ("/[[:alpha:]]+$", ["./empty", "./sub/", "./sub/b.txt"]),  # POSIX class
    ("%common%", []),
])
def test_exclude_regex_semantics(sd, golden, pattern, dropped):
    r = sd.ok("manifest", "--exclude", pattern, golden)
    paths = [row[4] for row in parse_manifest(r.out)]
    assert paths == [p for p in ["./", "./a.txt", "./empty", "./sub/",
                                 "./sub/b.txt"] if p not in dropped]
    if not dropped:
        assert r.out == GOLDEN_MANIFEST


def test_exclude_everything_leaves_an_empty_root(sd, golden):
    r = sd.ok("manifest", "--exclude", ".", golden)
    assert r.out == b"D 755 %s 0 ./\n" % EMPTY_B3.encode()


def test_exclude_common_macro(sd, base):
    root = make_tree(base / "c", {
        "keep.txt": (b"k", 0o644),
        ".git/": 0o755, ".git/HEAD": (b"ref", 0o644),
        "node_modules/": 0o755, "node_modules/x.js": (b"x", 0o644),
        "src/": 0o755, "src/.cache/": 0o755, "src/.cache/c": (b"c", 0o644),
        "src/main.c": (b"int main;", 0o644),
        "gitfoo/": 0o755, "gitfoo/y": (b"y", 0o644),
    })
    r = sd.ok("manifest", "--exclude", "%common%", root)
    assert [row[4] for row in parse_manifest(r.out)] == [
        "./", "./gitfoo/", "./gitfoo/y", "./keep.txt", "./src/", "./src/main.c"]


def test_excluded_directory_is_not_descended(sd, golden):
    # a name that cannot be recorded makes any walk of "bad/" fail...
    bad = golden / "bad"
    bad.mkdir(mode=0o755)
    (bad / "line\nbreak").write_bytes(b"x")
    sd.fail("manifest", golden)
    # ...so a success proves the excluded directory was never read
    r = sd.ok("manifest", "--exclude", "/bad$", golden)
    assert r.out == GOLDEN_MANIFEST


def test_excluded_unreadable_directory_is_not_descended(sd, golden):
    locked = golden / "locked"
    locked.mkdir()
    (locked / "f").write_bytes(b"x")
    os.chmod(locked, 0o000)
    sd.fail("manifest", golden, as_nobody=True, needles=["locked"])
    r = sd.ok("manifest", "--exclude", "locked", golden, as_nobody=True)
    assert r.out == GOLDEN_MANIFEST


@pytest.mark.parametrize("args,named", [
    (["--exclude", "("], "("),
    (["--exclude", "ok,[z-a]"], "[z-a]"),
    (["--exclude", "fine", "--exclude", "a**+("], "a**+("),
    (["--exclude=*oops"], "*oops"),
])
def test_invalid_exclude_regex_fails(sd, golden, args, named):
    r = sd.fail("manifest", *args, golden, needles=[named])
    assert "exclude" in r.err
    sd.fail("id", *args, golden, needles=[named])


# ---- ordering, permissions, bigger trees ---------------------------------


def test_byte_order_of_paths(sd, base):
    root = make_tree(base / "o", {
        "a.txt": (b"1", 0o644), "a/": 0o755, "a/x": (b"2", 0o644),
        "a0": (b"3", 0o644), "B": (b"4", 0o644), "a b": (b"5", 0o644),
        "a-": (b"6", 0o644), "\u00e9t\u00e9": (b"7", 0o644),
    })
    r = sd.ok("manifest", root)
    paths = [row[4] for row in parse_manifest(r.out)]
    assert paths == sorted(paths, key=lambda p: p.encode())
    assert paths.index("./a.txt") < paths.index("./a/") < \
        paths.index("./a/x") < paths.index("./a0")
    assert r.out == ref_manifest(root)


def test_permissions_rendering(sd, base):
    root = make_tree(base / "p", {
        "zero": (b"z", 0o000), "suid": (b"s", 0o4755), "sgid": (b"g", 0o2755),
        "exec": (b"e", 0o755), "ro": (b"r", 0o444),
        "sticky/": 0o1777, "sticky/f": (b"f", 0o600),
    })
    r = sd.ok("manifest", root)
    perms = {row[4]: row[1] for row in parse_manifest(r.out)}
    assert perms == {"./": "755", "./zero": "0", "./suid": "4755",
                     "./sgid": "2755", "./exec": "755", "./ro": "444",
                     "./sticky/": "1777", "./sticky/f": "600"}
    assert r.out == ref_manifest(root)


def test_duplicate_file_contents_and_merkle(sd, base):
    root = make_tree(base / "d", {
        "x/": 0o755, "x/one": (b"", 0o644), "x/two": (b"", 0o644),
        "y/": 0o755, "y/one": (b"same", 0o644), "y/two": (b"same", 0o644),
    })
    r = sd.ok("manifest", root)
    rows = {row[4]: row for row in parse_manifest(r.out)}
    # a directory of two empty files hashes the empty sum once (format §2)
    assert rows["./x/"][2] == b3(EMPTY_B3.encode())
    assert rows["./y/"][3] == 8
    assert r.out == ref_manifest(root)


@pytest.fixture
def medium(base):
    rnd = random.Random(1234)
    entries = {}
    for d in range(6):
        entries["d%d/" % d] = 0o755
        entries["d%d/inner/" % d] = 0o750
        for f in range(25):
            size = rnd.choice([0, 1, 100, 4096, 5000, 70000])
            entries["d%d/f%02d" % (d, f)] = (rnd.randbytes(size), 0o644)
        entries["d%d/inner/g" % d] = (rnd.randbytes(3000), 0o640)
    # mmapped (>= 256 KiB) and "big" (>= 1 MiB) files, plus boundaries
    for name, size in [("m256k", 256 * 1024), ("m256k-1", 256 * 1024 - 1),
                       ("m300k", 300 * 1024), ("b1m", 1024 * 1024),
                       ("b3m", 3 * 1024 * 1024 + 17)]:
        entries["big/" + name] = (rnd.randbytes(size), 0o644)
    entries["big/"] = 0o755
    # 200 small files in one directory: several hashing chunks
    for f in range(200):
        entries["many/%03d" % f] = (b"%d" % (f % 7), 0o644)
    entries["many/"] = 0o755
    return make_tree(base / "medium", entries)


def test_medium_tree_matches_reference(sd, medium):
    expected = ref_manifest(medium)
    assert sd.ok("manifest", medium).out == expected
    assert sd.ok("manifest", "--checksum-bin", "sha256sum", medium).out == \
        ref_manifest(medium, kind="sha256")


def test_walk_jobs_never_change_output(sd, medium):
    expected = sd.ok("manifest", medium).out
    for args, env in [(["--walk-jobs", "1"], None), (["--walk-jobs", "2"], None),
                      (["--walk-jobs=16"], None), (["--walk-jobs", "0"], None),
                      ([], {"SNAPDIR_WALK_JOBS": "3"}),
                      ([], {"SNAPDIR_WALK_JOBS": "1"})]:
        assert sd.ok("manifest", *args, medium, env=env).out == expected, args
        assert sd.ok("id", *args, medium, env=env).out == \
            (manifest_id(expected) + "\n").encode(), args


def test_symlinks_followed_and_no_follow(sd, base):
    root = make_tree(base / "l", {"t.txt": (b"target!", 0o644),
                                  "d/": 0o755, "d/in": (b"in", 0o644)})
    os.symlink("t.txt", root / "lf")
    os.symlink("d", root / "ld")
    os.symlink("nowhere", root / "dangling")
    os.symlink("loop", root / "loop")
    r = sd.ok("manifest", root)
    rows = {row[4]: row for row in parse_manifest(r.out)}
    assert "./dangling" not in rows and "./loop" not in rows
    assert rows["./lf"][:4] == ("F", "777", rows["./t.txt"][2], len("t.txt"))
    assert rows["./ld/"][0] == "D" and rows["./ld/"][1] == "777"
    assert rows["./ld/in"][2] == rows["./d/in"][2]
    assert r.out == ref_manifest(root)
    nf = sd.ok("manifest", "--no-follow", root)
    assert [row[4] for row in parse_manifest(nf.out)] == \
        ["./", "./d/", "./d/in", "./t.txt"]


def test_links_to_ancestors_are_left_out(sd, golden):
    os.symlink("..", golden / "sub" / "up")
    os.symlink(".", golden / "self")
    os.symlink(str(golden), golden / "sub" / "abs-root")
    r = sd.ok("manifest", golden, timeout=30)
    assert r.out == GOLDEN_MANIFEST
    assert sd.ok("id", golden, timeout=30).out == (GOLDEN_ID + "\n").encode()


def test_deep_tree(sd, base):
    root = base / "deep"
    p = root
    for i in range(300):
        p = p / "d"
        p.mkdir(parents=True)
        (p / "f").write_text(str(i))
    r = sd.ok("manifest", root)
    assert r.out == ref_manifest(root)
    assert len(parse_manifest(r.out)) == 601
