# SPDX-License-Identifier: MIT
"""checkout/pull --delete (mirror pruning and its safety guard) and
--linked (read-only symlinks into the cache)."""
import os
import stat

import pytest

import xferlib as X

SRC = {
    "a.txt": b"alpha",
    "keep/in.txt": b"in manifest",
    "d/b.txt": b"bravo",
    "d/e/c.txt": b"charlie",
    "uni café/ñ.txt": b"unicode",
}
EXTRA_FILES = {
    "x.txt": b"extra",
    "d/extra.txt": b"extra",
    "d/e/deep/deeper/deepest.txt": b"deep",
    "junk/1/2/3/4.txt": b"four",
    "junk/sp ace.txt": b"space",
    "uni café/más.txt": b"mas",
}
EXTRA_DIRS = ("empty/", "junk/empty/")


def populate(dest, outside):
    """SRC plus extraneous files, dirs and symlinks (into outside)."""
    X.plain_tree(dest, dict(SRC, **EXTRA_FILES),
                 dirs=[d.rstrip("/") for d in EXTRA_DIRS])
    os.symlink(outside, dest / "link-to-outside-dir")
    os.symlink(outside / "o.txt", dest / "d" / "link-to-outside-file")
    os.symlink("loop", dest / "junk" / "loop")
    os.symlink(outside, dest / "junk" / "1" / "dirlink")
    return {
        "./x.txt", "./d/extra.txt", "./d/e/deep/", "./d/e/deep/deeper/",
        "./d/e/deep/deeper/deepest.txt", "./junk/", "./junk/1/",
        "./junk/1/2/", "./junk/1/2/3/", "./junk/1/2/3/4.txt",
        "./junk/sp ace.txt", "./uni café/más.txt", "./empty/",
        "./junk/empty/", "./link-to-outside-dir", "./d/link-to-outside-file",
        "./junk/loop", "./junk/1/dirlink",
    }


@pytest.fixture
def staged(w, sd):
    src = X.plain_tree(w.path("src"), SRC)
    tid = sd.ok("stage", *w.C(), src).id
    outside = X.plain_tree(w.path("outside"), {"o.txt": b"outside",
                                               "sub/p.txt": b"p"})
    return src, tid, outside


def deepest_first(paths):
    for i, p in enumerate(paths):
        if p.endswith("/"):
            later = [q for q in paths[i + 1:] if q.startswith(p)]
            assert not later, (p, later)


@pytest.mark.parametrize("cmd", ["checkout", "pull"])
def test_delete_prunes_deepest_first_never_following(w, sd, staged, cmd):
    src, tid, outside = staged
    if cmd == "pull":
        sd.ok("push", "--store", w.uri, *w.C(), src)
    extra = ["--store", w.uri] if cmd == "pull" else []
    dest = w.path("dest")
    expected = populate(dest, outside)
    os.chmod(dest / "junk" / "1", 0o500)  # unwritable (to non-root)
    before_out, before_dest = X.snapshot(outside), X.snapshot(dest)

    r = sd.ok(cmd, "--delete", "--dryrun", *extra, "--id", tid, *w.C(), dest)
    lines = r.out.decode().splitlines()
    assert all(l.startswith("would delete: ./") for l in lines), r
    got = [l[len("would delete: "):] for l in lines]
    assert sorted(got) == sorted(expected)
    deepest_first(got)
    assert "would delete" not in r.err
    assert X.snapshot(dest) == before_dest

    r = sd.ok(cmd, "--delete", *extra, "--id", tid, *w.C(), dest)
    assert sd.id(dest) == tid
    assert X.snapshot(outside) == before_out
    # without --dryrun, stdout carries nothing (cli-surface.md 5.7)
    assert r.out == b"", r


def test_delete_exclude_protects(w, sd, staged):
    src, tid, outside = staged
    dest = w.path("dest")
    populate(dest, outside)
    (dest / "build.log").write_bytes(b"log")
    (dest / "junk" / "keep.log").write_bytes(b"inner log")
    pats = [r"^\./x\.txt$", r"\.log$", r"^\./d/e/deep/"]
    args = [a for p in pats for a in ("--exclude", p)]
    r = sd.ok("checkout", "--delete", "--dryrun", *args, "--id", tid,
              *w.C(), dest)
    shown = r.out.decode()
    for p in ("./x.txt", "./build.log", "./junk/keep.log", "./d/e/deep/"):
        assert "would delete: %s\n" % p not in shown, r
    sd.ok("checkout", "--delete", *args, "--id", tid, *w.C(), dest)
    assert (dest / "x.txt").read_bytes() == b"extra"
    assert (dest / "build.log").read_bytes() == b"log"
    assert (dest / "d/e/deep/deeper/deepest.txt").read_bytes() == b"deep"
    # a protected file keeps its (otherwise extraneous) directory
    assert (dest / "junk" / "keep.log").read_bytes() == b"inner log"
    assert not os.path.lexists(dest / "junk" / "sp ace.txt")
    assert not os.path.lexists(dest / "junk" / "1")
    assert not os.path.lexists(dest / "link-to-outside-dir")
    assert not os.path.lexists(dest / "empty")
    for rel, data in SRC.items():
        assert (dest / rel).read_bytes() == data


def guarded_targets(w):
    home_link = w.path("home-link")
    os.symlink(w.home, home_link)
    cache_link = w.path("cache-link")
    os.symlink(w.cache, cache_link)
    return {
        "home": w.home, "home-slash-dot": str(w.home) + "/.",
        "home-symlink": home_link, "home-trailing": str(w.home) + "/",
        "cache": w.cache, "cache-symlink": cache_link,
        "cache-dotdot": str(w.cache / ".objects") + "/..",
        "store": w.store, "store-trailing": str(w.store) + "//",
    }


GUARDED = ["home", "home-slash-dot", "home-symlink", "home-trailing",
           "cache", "cache-symlink", "cache-dotdot", "store",
           "store-trailing"]


@pytest.mark.parametrize("target", GUARDED)
@pytest.mark.parametrize("cmd", ["checkout", "pull"])
def test_delete_refuses_guarded_dirs(w, sd, staged, target, cmd):
    src, tid, outside = staged
    sd.ok("push", "--store", w.uri, *w.C(w.path("pc")), src)
    (w.home / "precious.txt").write_bytes(b"do not delete")
    dest = guarded_targets(w)[target]
    watched = {"home": w.home, "cache": w.cache, "store": w.store}
    before = {k: X.snapshot(v) for k, v in watched.items()}
    r = sd.fail(cmd, "--delete", "--force", "--store", w.uri, "--id", tid,
                *w.C(), dest)
    assert "refusing to mirror-delete" in r.err, r
    assert "force" in r.err, r
    label = {"home": "home directory", "cache": "cache", "store": "store"}
    assert label[target.split("-")[0]] in r.err, r
    after = {k: X.snapshot(v) for k, v in watched.items()}
    if cmd == "pull":  # fetching into the cache is not pruning
        after.pop("cache"), before.pop("cache")
    assert after == before
    # --dryrun is refused as well (and prints no plan)
    r = sd.run(cmd, "--delete", "--dryrun", "--store", w.uri, "--id", tid,
               *w.C(), dest)
    assert r.rc == 1 and r.out == b"", r


def test_delete_refuses_filesystem_root(w, sd, staged):
    # an id the cache lacks: even a missing guard could not prune anything
    ghost = "f" * 64
    for args in (("/",), ("/.",), ("//",), ("/tmp/..",)):
        r = sd.fail("checkout", "--delete", "--force", "--id", ghost, *w.C(),
                    *args)
        assert "refusing to mirror-delete" in r.err, r
        assert "filesystem root" in r.err, r


def test_delete_refuses_default_cache_dir(w, sd, staged):
    """cli-surface.md 5.7: the default cache dir is guarded too, even when
    --cache-dir points elsewhere."""
    src, tid, outside = staged
    default_cache = w.xdg / "snapdir"
    X.plain_tree(default_cache, {"precious.txt": b"cached"})
    before = X.snapshot(default_cache)
    r = sd.run("checkout", "--delete", "--force", "--id", tid, *w.C(),
               default_cache)
    assert X.snapshot(default_cache) == before, r
    assert r.rc == 1 and "refusing to mirror-delete" in r.err, r


def test_pull_delete_guard_runs_before_fetch(w, sd, staged):
    """cli-surface.md 5.6: the guard is a pre-check before any fetch."""
    src, tid, outside = staged
    sd.ok("push", "--store", w.uri, *w.C(w.path("pc")), src)
    cache = w.path("fresh-cache")
    r = sd.fail("pull", "--delete", "--store", w.uri, "--id", tid,
                *w.C(cache), w.home)
    assert "refusing to mirror-delete" in r.err, r
    assert not X.manifest_path(cache, tid).exists(), \
        "pull fetched into the cache before refusing --delete"


def test_linked_checkout(w, sd, staged):
    src, tid, outside = staged
    dest = w.path("dest")
    r = sd.ok("checkout", "--linked", "--id", tid, *w.C(), dest)
    assert r.out == b""
    entries = X.parse_manifest(sd.manifest(src))
    for e in entries:
        p = dest / e.rel if e.rel else dest
        if e.type == "D":
            assert stat.S_ISDIR(os.lstat(p).st_mode), p
            continue
        assert os.path.islink(p), p
        target = os.readlink(p)
        assert os.path.isabs(target), target
        assert target == str(X.object_path(w.cache, e.sum)), target
        assert os.stat(target).st_mode & 0o7777 == 0o444, target
        assert p.read_bytes() == SRC[e.rel]
    # again, into the same destination: nothing changes, nothing breaks
    before = X.snapshot(dest, mtimes=False)
    sd.ok("checkout", "--linked", "--id", tid, *w.C(), dest)
    assert X.snapshot(dest, mtimes=False).keys() == before.keys()
    sd.ok("verify-cache", *w.C())
    # a copy checkout over the links turns them into real files
    sd.ok("checkout", "--id", tid, *w.C(), dest)
    assert not os.path.islink(dest / "a.txt")
    assert sd.id(dest) == sd.id(src)
    # the objects themselves were not modified through the links
    X.check_objects_named_by_hash(w.cache)


@pytest.mark.parametrize("how", ["flag", "env"])
@pytest.mark.parametrize("cmd", ["checkout", "pull"])
def test_linked_refused_with_remote_store(w, sd, staged, how, cmd):
    src, tid, outside = staged
    dest = w.path("dest")
    before = X.snapshot(w.cache)
    if how == "flag":
        r = sd.fail(cmd, "--linked", "--store", "s3://bucket/prefix",
                    "--id", tid, *w.C(), dest)
    else:
        r = sd.fail(cmd, "--linked", "--id", tid, *w.C(), dest,
                    env={"SNAPDIR_STORE": "s3://bucket/prefix"})
    assert "--linked" in r.err and "s3://bucket/prefix" in r.err, r
    assert not os.path.lexists(dest)
    assert X.snapshot(w.cache) == before
