# SPDX-License-Identifier: MIT
"""Dry runs, flush-cache, defaults, cache-dir resolution, catalog events
and stdout discipline."""
import json
import os
import pty
import re
import subprocess
import threading

import pytest

import xferlib as X

KNOBS = ["cache-dir", "store", "objects-store", "catalog", "jobs",
         "walk-jobs", "limit-rate", "adaptive", "max-jobs", "max-retries",
         "retry-base-ms", "retry-max-ms", "max-requests", "no-progress",
         "color", "fsync", "clonefile", "verify-copies"]
CATALOG = "default-catalog.sqlite3"


def tree(w, name, salt, n=12):
    files = {"f%02d.txt" % i: b"%s-%d" % (salt.encode(), i) * (i + 1)
             for i in range(n)}
    files["sub dir/ü.bin"] = salt.encode() * 5000
    files["empty"] = b""
    return X.plain_tree(w.path(name), files, dirs=("empty dir",))


# ---- dry runs ---------------------------------------------------------------


def test_dry_runs_write_nothing(w, sd):
    a, b = tree(w, "a", "A"), tree(w, "b", "B")
    ida = sd.ok("stage", *w.C(), a).id
    sd.ok("push", "--store", w.uri, *w.C(), a)
    store2 = w.path("store2")
    uri2 = "file://" + str(store2)
    idb = sd.ok("push", "--store", uri2, *w.C(w.path("c2")), b).id
    dest = w.path("dest")
    sd.ok("checkout", "--id", ida, *w.C(), dest)
    (dest / "extra.txt").write_bytes(b"extra")
    (dest / "f00.txt").write_bytes(b"changed")
    newdest = w.path("newdest")
    watched = (w.cache, w.store, store2, dest, newdest, a, b)
    before = [X.snapshot(p) for p in watched]

    r = sd.ok("stage", "--dryrun", *w.C(), b)
    assert r.out == (idb + "\n").encode()
    assert "dry-run: would stage %s" % idb in r.err, r
    r = sd.ok("push", "--dryrun", "--store", w.uri, *w.C(), b)
    assert r.out == (idb + "\n").encode()
    assert "dry-run: would push %s to %s" % (idb, w.uri) in r.err, r
    r = sd.ok("push", "--dryrun", "--store", uri2, "--id", ida, *w.C())
    assert r.out == (ida + "\n").encode()
    r = sd.ok("fetch", "--dryrun", "--store", uri2, "--id", idb, *w.C())
    assert r.out == b"" and "dry-run: would fetch %s" % idb in r.err, r
    r = sd.ok("pull", "--dryrun", "--store", uri2, "--id", idb, *w.C(),
              newdest)
    assert r.out == b"" and "dry-run" in r.err, r
    r = sd.ok("pull", "--dryrun", "--store", uri2, "--id", idb, *w.C(),
              dest)
    assert r.out == b""
    r = sd.ok("checkout", "--dryrun", "--id", ida, *w.C(), dest)
    assert r.out == b"" and "dry-run: would check out" in r.err, r
    r = sd.ok("checkout", "--dryrun", "--id", idb, *w.C(), newdest)
    assert r.out == b""
    r = sd.ok("checkout", "--dryrun", "--delete", "--id", ida, *w.C(), dest)
    assert r.out == b"would delete: ./extra.txt\n", r
    r = sd.ok("pull", "--dryrun", "--delete", "--store", w.uri, "--id", ida,
              *w.C(), dest)
    assert r.out == b"would delete: ./extra.txt\n", r
    r = sd.ok("flush-cache", "--dryrun", *w.C())
    assert "dry-run: would flush the cache at %s" % w.cache in r.err, r
    sd.ok("verify-cache", "--purge", "--dryrun", *w.C())

    assert [X.snapshot(p) for p in watched] == before
    # nothing was recorded by the dry runs
    rows = sd.ok("locations", *w.C()).out.decode()
    assert str(b) not in rows and idb not in rows, rows


def test_dry_runs_create_no_dirs(w, sd):
    a = tree(w, "a", "A")
    cache, store = w.path("no-cache"), w.path("no-store")
    tid = sd.ok("stage", "--dryrun", *w.C(cache), a).id
    sd.ok("push", "--dryrun", "--store", "file://" + str(store), *w.C(cache),
          a)
    sd.ok("checkout", "--dryrun", "--id", tid, *w.C(cache), w.path("d"))
    assert not os.path.lexists(cache)
    assert not os.path.lexists(store)
    assert not os.path.lexists(w.path("d"))


# ---- flush-cache ------------------------------------------------------------


def test_flush_cache(w, sd):
    a = tree(w, "a", "A")
    sd.ok("stage", *w.C(), a)
    assert (w.cache / CATALOG).is_file()
    outside = X.plain_tree(w.path("outside"), {"o.txt": b"outside"})
    os.symlink(outside, w.cache / "link")
    before = X.snapshot(outside)
    r = sd.ok("flush-cache", *w.C())
    assert r.out == b""
    assert w.cache.is_dir() and os.listdir(w.cache) == []
    assert X.snapshot(outside) == before
    sd.ok("flush-cache", *w.C())  # idempotent
    assert w.cache.is_dir() and os.listdir(w.cache) == []
    sd.ok("flush-cache", *w.C(w.path("never-created")))
    # through the environment and the XDG default as well
    sd.ok("stage", a, env={"SNAPDIR_CACHE_DIR": str(w.cache)})
    sd.ok("flush-cache", env={"SNAPDIR_CACHE_DIR": str(w.cache)})
    assert os.listdir(w.cache) == []
    sd.ok("stage", a)
    assert os.listdir(w.xdg / "snapdir")
    sd.ok("flush-cache")
    assert os.listdir(w.xdg / "snapdir") == []


# ---- defaults and cache-dir resolution ----------------------------------------


def parse_defaults(out):
    lines = out.decode().split("\n")
    assert lines[-1] == ""
    knobs, other, i = [], [], 0
    for i, line in enumerate(lines[:-1]):
        if line == "other-env:":
            other = lines[i + 1:-1]
            break
        m = re.match(r"^(\S+) (.+) source=(flag|env|default)$", line)
        assert m, line
        knobs.append(m.groups())
    return knobs, other


def test_defaults_sources(w, sd):
    r = sd.ok("defaults")
    knobs, other = parse_defaults(r.out)
    assert [k for k, _, _ in knobs] == KNOBS
    assert all(s == "default" for _, _, s in knobs), knobs
    vals = {k: v for k, v, _ in knobs}
    assert vals["cache-dir"] == str(w.xdg / "snapdir")
    assert vals["catalog"] == str(w.xdg / "snapdir" / CATALOG)
    assert vals["store"] == "none" and vals["objects-store"] == "none"
    assert other == []
    assert r.err == ""

    env = {"SNAPDIR_STORE": "file:///somewhere", "SNAPDIR_JOBS": "3",
           "SNAPDIR_CACHE_DIR": str(w.path("envcache")),
           "SNAPDIR_LIMIT_RATE": "2M"}
    r = sd.ok("defaults", "--walk-jobs", "2", "--limit-rate", "1M",
              "--catalog", "none", "--jobs", "5", env=env)
    knobs, other = parse_defaults(r.out)
    assert [k for k, _, _ in knobs] == KNOBS
    got = {k: (v, s) for k, v, s in knobs}
    assert got["store"] == ("file:///somewhere", "env")
    assert got["cache-dir"] == (str(w.path("envcache")), "env")
    assert got["jobs"] == ("5", "flag")
    assert got["walk-jobs"] == ("2", "flag")
    assert got["limit-rate"] == ("1M", "flag")
    assert got["catalog"] == ("none", "flag")
    assert got["max-retries"] == ("5", "default")
    assert other == ["  %s=%s" % kv for kv in sorted(env.items())], other

    r = sd.ok("defaults", "--cache-dir", w.cache, env={
        "SNAPDIR_CACHE_DIR": str(w.path("envcache"))})
    got = {k: (v, s) for k, v, s in parse_defaults(r.out)[0]}
    assert got["cache-dir"] == (str(w.cache), "flag")
    assert got["catalog"] == (str(w.cache / CATALOG), "default")

    r = sd.ok("defaults", env={"XDG_CACHE_HOME": None})
    got = {k: (v, s) for k, v, s in parse_defaults(r.out)[0]}
    assert got["cache-dir"] == (str(w.home / ".cache" / "snapdir"),
                                "default")


@pytest.mark.parametrize("how", ["flag", "env", "xdg", "home"])
def test_cache_dir_resolution(w, sd, how):
    a = tree(w, "a", "A")
    flagdir, envdir = w.path("flagc"), w.path("envc")
    xdgdir, homedir = w.xdg / "snapdir", w.home / ".cache" / "snapdir"
    args, env = [], {}
    if how == "flag":
        args = ["--cache-dir", flagdir]
        env = {"SNAPDIR_CACHE_DIR": str(envdir)}
    elif how == "env":
        env = {"SNAPDIR_CACHE_DIR": str(envdir)}
    elif how == "home":
        env = {"XDG_CACHE_HOME": None}
    want = {"flag": flagdir, "env": envdir, "xdg": xdgdir,
            "home": homedir}[how]
    mbytes = sd.manifest(a)
    sd.ok("stage", *args, a, env=env)
    X.check_layout(want, mbytes, a)
    for other in {flagdir, envdir, xdgdir, homedir} - {want}:
        assert not os.path.lexists(other), other
    tid = X.b3(mbytes)
    sd.ok("checkout", *args, "--id", tid, w.path("dest"), env=env)
    assert sd.id(w.path("dest")) == tid


# ---- catalog ----------------------------------------------------------------

ROW = re.compile(r'^\{"created_at":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}",'
                 r'"id":"[0-9a-f]{64}","location":"[^"]*"\}$')
REV = re.compile(r'^\{"created_at":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}",'
                 r'"id":"[0-9a-f]{64}","previous_id":("[0-9a-f]{64}"|null)\}$')


def rows(r, pattern):
    lines = r.out.decode().splitlines()
    for l in lines:
        assert pattern.match(l), l
    return [json.loads(l) for l in lines]


def test_catalog_events(w, sd):
    a = tree(w, "a", "A")
    uri = "file://localhost" + str(w.store) + "/"
    ida = sd.ok("stage", *w.C(), "a", cwd=w.root).id  # relative path
    sd.ok("push", "--store", uri, *w.C(), a)
    assert (w.cache / CATALOG).is_file()
    got = rows(sd.ok("locations", *w.C()), ROW)
    assert [(r["location"], r["id"]) for r in got] == sorted(
        [(str(a), ida), (uri, ida)])

    (a / "new.txt").write_bytes(b"new")
    ida2 = sd.ok("push", "--store", uri, *w.C(), a).id
    sd.ok("push", "--store", uri, *w.C(), a)  # same id again: no new row
    for args in (("--location", uri), ("--store", uri)):
        got = rows(sd.ok("revisions", *args, *w.C()), REV)
        assert [(r["id"], r["previous_id"]) for r in got] == [
            (ida2, ida), (ida, None)], got
    got = rows(sd.ok("ancestors", "--id", ida2, *w.C()), ROW)
    assert [(r["id"], r["location"]) for r in got] == [(ida, uri)]
    assert sd.ok("ancestors", "--id", ida, *w.C()).out == b""

    # fetch, pull, checkout and verify record nothing
    before = sd.ok("locations", *w.C()).out
    sd.ok("fetch", "--store", uri, "--id", ida2, *w.C())
    sd.ok("pull", "--store", uri, "--id", ida2, *w.C(), w.path("d1"))
    sd.ok("checkout", "--id", ida2, *w.C(), w.path("d2"))
    sd.ok("verify", "--store", uri, "--id", ida2, *w.C())
    assert sd.ok("locations", *w.C()).out == before
    assert sd.ok("revisions", "--location", w.path("d1"), *w.C()).out == b""


@pytest.mark.parametrize("how", ["flag", "env"])
def test_catalog_none_records_nothing(w, sd, how):
    a = tree(w, "a", "A")
    args = ["--catalog", "none"] if how == "flag" else []
    env = {"SNAPDIR_CATALOG": "none"} if how == "env" else {}
    sd.ok("stage", *args, *w.C(), a, env=env)
    sd.ok("push", *args, "--store", w.uri, *w.C(), a, env=env)
    found = [os.path.join(dp, f) for dp, _, fs in os.walk(w.root)
             for f in fs if "catalog" in f or f.endswith(".sqlite3")]
    assert found == []
    for q in (("locations",), ("revisions", "--location", str(a)),
              ("ancestors", "--id", sd.id(a))):
        r = sd.ok(*q, *args, *w.C(), env=env)
        assert r.out == b"", r
        assert "catalog disabled" in r.err, r
    assert not (w.cache / CATALOG).exists()


def test_catalog_path_value(w, sd):
    a = tree(w, "a", "A")
    db = w.path("cat dir") / "my.db"
    tid = sd.ok("stage", "--catalog", db, *w.C(), a).id
    assert db.is_file()
    assert not (w.cache / CATALOG).exists()
    got = rows(sd.ok("locations", "--catalog", db, *w.C()), ROW)
    assert [(r["location"], r["id"]) for r in got] == [(str(a), tid)]
    assert sd.ok("locations", *w.C()).out == b""


# ---- stdout discipline --------------------------------------------------------


def commands(w, a, tid):
    return [
        (("stage", *w.C(), a), tid + "\n"),
        (("push", "--store", w.uri, *w.C(), a), tid + "\n"),
        (("push", "--store", w.uri, "--id", tid, *w.C()), tid + "\n"),
        (("fetch", "--store", w.uri, "--id", tid, *w.C(w.path("c2"))), ""),
        (("pull", "--store", w.uri, "--id", tid, *w.C(w.path("c3")),
          w.path("d1")), ""),
        (("checkout", "--id", tid, *w.C(), w.path("d2")), ""),
        (("checkout", "--delete", "--id", tid, *w.C(), w.path("d2")), ""),
        (("checkout", "--linked", "--id", tid, *w.C(), w.path("d3")), ""),
        (("verify", "--store", w.uri, "--id", tid, *w.C()), ""),
        (("verify-cache", *w.C()), ""),
    ]


@pytest.mark.parametrize("flags", [(), ("--verbose", "--color", "always")])
def test_stdout_is_only_the_payload(w, sd, flags):
    a = tree(w, "a", "A")
    tid = sd.id(a)
    for args, want in commands(w, a, tid):
        r = sd.ok(args[0], *flags, *args[1:])
        assert r.out == want.encode(), r
        assert b"\x1b" not in r.out and b"\r" not in r.out
        if not flags:
            assert "\x1b" not in r.err and "\r" not in r.err, r


def test_stdout_clean_when_stderr_is_a_terminal(w, sd):
    a = tree(w, "a", "A", n=400)
    tid = sd.id(a)
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                d = os.read(master, 65536)
            except OSError:
                return
            if not d:
                return
            chunks.append(d)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    try:
        for args, want in commands(w, a, tid):
            r = sd.run(args[0], "--color", "always", *args[1:],
                       env={"TERM": "xterm"}, stderr=slave)
            assert r.rc == 0, r
            assert r.out == want.encode(), r
    finally:
        os.close(slave)
        t.join(5)
        os.close(master)
    # the terminal did get a live progress line
    assert b"\r\x1b[K" in b"".join(chunks)
