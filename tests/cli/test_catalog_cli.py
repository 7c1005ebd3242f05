"""Catalog queries: `locations`, `ancestors`, `revisions` (cli-surface.md
§4.3, §5.11; stores.md §7).

No command records events yet, so the tests let the CLI create the database
(any query opens and so creates it), then seed rows with Python's sqlite3.
The inserts mirror the private schema of src/core/sd_catalog.c:

    event_log(seq INTEGER PRIMARY KEY, created_at, event, id, location)
    history(seq INTEGER PRIMARY KEY, location, id, previous_id NULL,
            created_at)

`seq` is the insertion order; it breaks created_at ties and a location's
head is its history row with the largest seq. Only the JSON lines printed
by the commands are a contract.
"""

import json
import os
import sqlite3
import subprocess

import pytest

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
T1, T2, T3 = ("2024-05-01 10:00:00.001", "2024-05-01 10:00:00.002",
              "2024-05-01 10:00:00.003")
DISABLED = "catalog disabled (--catalog none): nothing to query\n"
QUERIES = [["locations"], ["ancestors", "--id", A],
           ["revisions", "--location", "/x"]]


def jline(**fields):
    """One compact JSON line, keys in the given order, UTF-8 raw."""
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False) + "\n"


def seed(sd, db, rows):
    """Create db through the CLI, then append history rows (location, id,
    created_at) with the head rule of sd_catalog_log."""
    sd.ok("locations", "--catalog", db)
    con = sqlite3.connect(db)
    try:
        for location, id_, created_at in rows:
            con.execute(
                "INSERT INTO event_log (created_at, event, id, location) "
                "VALUES (?, 'push', ?, ?)", (created_at, id_, location))
            head = con.execute(
                "SELECT id FROM history WHERE location = ? "
                "ORDER BY seq DESC LIMIT 1", (location,)).fetchone()
            head = head[0] if head else None
            if head != id_:
                con.execute(
                    "INSERT INTO history (location, id, previous_id, "
                    "created_at) VALUES (?, ?, ?, ?)",
                    (location, id_, head, created_at))
        con.commit()
    finally:
        con.close()
    return db


@pytest.fixture
def db(sd, tmp_path):
    """A catalog at an explicit path with a small history:
    /one: A (T1) -> B (T2) -> A (T3);  s3://bkt/p: C (T1) -> B (T2);
    /two: B (T2, a created_at tie with s3's B, inserted after it)."""
    return seed(sd, str(tmp_path / "cat" / "c.sqlite3"), [
        ("/one", A, T1),
        ("s3://bkt/p", C, T1),
        ("/one", B, T2),
        ("/one", B, T2),  # re-logging the head adds no history row
        ("s3://bkt/p", B, T2),
        ("/two", B, T2),
        ("/one", A, T3),
    ])


def test_locations_latest_record_in_byte_order(sd, db):
    r = sd.ok("locations", "--catalog", db)
    assert r.err == ""
    assert r.text == (
        jline(created_at=T3, id=A, location="/one")
        + jline(created_at=T2, id=B, location="/two")
        + jline(created_at=T2, id=B, location="s3://bkt/p"))


def test_locations_ignores_its_inert_flags(sd, db):
    want = sd.ok("locations", "--catalog", db).out
    r = sd.ok("locations", "--catalog", db, "--id", "zz", "--location", "/q",
              "--store", "file:///nowhere")
    assert r.out == want


def test_revisions_newest_first(sd, db):
    r = sd.ok("revisions", "--catalog", db, "--location", "/one")
    assert r.text == (
        jline(created_at=T3, id=A, previous_id=B)
        + jline(created_at=T2, id=B, previous_id=A)
        + jline(created_at=T1, id=A, previous_id=None))
    assert '"previous_id":null}' in r.text


def test_revisions_location_falls_back_to_store(sd, db):
    want = (jline(created_at=T2, id=B, previous_id=C)
            + jline(created_at=T1, id=C, previous_id=None))
    assert sd.ok("revisions", "--catalog", db,
                 "--store", "s3://bkt/p").text == want
    assert sd.ok("revisions", "--catalog", db,
                 env={"SNAPDIR_STORE": "s3://bkt/p"}).text == want
    # --location wins over --store
    r = sd.ok("revisions", "--catalog", db, "--location", "/two",
              "--store", "s3://bkt/p")
    assert r.text == jline(created_at=T2, id=B, previous_id=None)


def test_revisions_exact_location_string(sd, db):
    assert sd.ok("revisions", "--catalog", db, "--location", "/one/").out == b""
    assert sd.ok("revisions", "--catalog", db, "--location", "/nope").out == b""


def test_ancestors_one_hop_newest_first(sd, db):
    # B replaced A at /one (T2) and C at s3 (T2, inserted later: first)
    r = sd.ok("ancestors", "--catalog", db, "--id", B)
    assert r.text == (
        jline(created_at=T2, id=C, location="s3://bkt/p")
        + jline(created_at=T2, id=A, location="/one"))
    r = sd.ok("ancestors", "--catalog", db, "--id", B, "--location", "/one")
    assert r.text == jline(created_at=T2, id=A, location="/one")
    # A's first recording had no predecessor; its second replaced B
    r = sd.ok("ancestors", "--catalog", db, "--id", A)
    assert r.text == jline(created_at=T3, id=B, location="/one")
    assert sd.ok("ancestors", "--catalog", db, "--id", C).out == b""
    assert sd.ok("ancestors", "--catalog", db, "--id", D).out == b""


def test_ancestors_accepts_uppercase_id(sd, db):
    r = sd.ok("ancestors", "--catalog", db, "--id", B.upper(),
              "--location", "/one")
    assert r.text == jline(created_at=T2, id=A, location="/one")


def test_ancestors_invalid_id(sd, db):
    sd.fail("ancestors", "--catalog", db, "--id", "xyz",
            needles=["invalid snapshot id"])


def test_ancestors_missing_id(sd, db):
    r = sd.fail("ancestors", "--catalog", db, "--location", "/one")
    assert r.err == "snapdir: missing --id option\n"


def test_revisions_missing_location(sd, db):
    r = sd.fail("revisions", "--catalog", db, "--id", A)
    assert r.err == "snapdir: missing --location option\n"


def test_ties_break_by_insertion_order(sd, tmp_path):
    db = seed(sd, str(tmp_path / "t.sqlite3"),
              [("/t", A, T1), ("/t", B, T1), ("/t", C, T1)])
    r = sd.ok("revisions", "--catalog", db, "--location", "/t")
    assert r.text == (jline(created_at=T1, id=C, previous_id=B)
                      + jline(created_at=T1, id=B, previous_id=A)
                      + jline(created_at=T1, id=A, previous_id=None))
    r = sd.ok("locations", "--catalog", db)
    assert r.text == jline(created_at=T1, id=C, location="/t")


def test_json_escaping_of_odd_locations(sd, tmp_path):
    odd = '/q"uote\\back\nnl\ttab\rcr\x01ctl\x7fdel/é✓'
    db = seed(sd, str(tmp_path / "e.sqlite3"), [(odd, A, T1)])
    r = sd.ok("locations", "--catalog", db)
    assert r.out == (
        b'{"created_at":"' + T1.encode() + b'","id":"' + A.encode()
        + b'","location":"/q\\"uote\\\\back\\nnl\\ttab\\rcr\\u0001ctl\x7fdel/'
        + "é✓".encode() + b'"}\n')
    assert r.text == jline(created_at=T1, id=A, location=odd)
    r = sd.ok("revisions", "--catalog", db, "--location", odd)
    assert r.text == jline(created_at=T1, id=A, previous_id=None)


def test_empty_catalog_prints_nothing(sd, tmp_path):
    db = str(tmp_path / "new" / "dir" / "empty.sqlite3")
    for q in QUERIES:
        r = sd.ok(*q, "--catalog", db)
        assert r.out == b"" and r.err == ""
    assert os.path.isfile(db)  # queries create the database and its parent


# ---- catalog selection (cli-surface.md §4.3) -----------------------------


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: q[0])
@pytest.mark.parametrize("how", [
    (["--catalog", "none"], {}),
    (["--catalog="], {}),
    ([], {"SNAPDIR_CATALOG": "none"}),
    ([], {"SNAPDIR_CATALOG": ""}),
    (["--catalog", "none"], {"SNAPDIR_CATALOG": "foo"}),
], ids=["flag-none", "flag-empty", "env-none", "env-empty", "flag-over-env"])
def test_disabled_catalog(sd, tmp_path, q, how):
    args, env = how
    r = sd.ok(*q, *args, env=env)
    assert r.out == b""
    assert r.err == DISABLED
    for d in ("cache", "home", "xdg"):
        assert os.listdir(tmp_path / d) == [], d


@pytest.mark.parametrize("cmd", ["ancestors", "revisions"])
def test_disabled_is_checked_before_required_options(sd, tmp_path, cmd):
    r = sd.ok(cmd, "--catalog", "none")
    assert r.out == b"" and r.err == DISABLED


def test_default_catalog_file(sd, tmp_path):
    sd.ok("locations")
    assert os.listdir(tmp_path / "cache") == ["default-catalog.sqlite3"]


def test_named_catalog_flag_beats_env(sd, tmp_path):
    sd.ok("revisions", "--location", "/x", "--catalog", "bar",
          env={"SNAPDIR_CATALOG": "foo"})
    assert os.listdir(tmp_path / "cache") == ["bar-catalog.sqlite3"]
    sd.ok("ancestors", "--id", A, env={"SNAPDIR_CATALOG": "foo"})
    assert sorted(os.listdir(tmp_path / "cache")) == [
        "bar-catalog.sqlite3", "foo-catalog.sqlite3"]
    # a flag also re-enables a catalog the environment disabled
    sd.ok("locations", "--catalog", "baz", env={"SNAPDIR_CATALOG": ""})
    assert "baz-catalog.sqlite3" in os.listdir(tmp_path / "cache")


def test_named_catalogs_are_isolated(sd, tmp_path):
    cache = tmp_path / "cache"
    seed(sd, str(cache / "foo-catalog.sqlite3"), [("/f", A, T1)])
    assert sd.ok("locations", "--catalog", "foo").text == jline(
        created_at=T1, id=A, location="/f")
    assert sd.ok("locations").out == b""
    assert sd.ok("locations", "--catalog", "other").out == b""


def test_cache_dir_resolution(sd, tmp_path):
    flag_dir = tmp_path / "flag-cache"
    env_dir = tmp_path / "env-cache"
    sd.ok("locations", "--cache-dir", flag_dir,
          env={"SNAPDIR_CACHE_DIR": str(env_dir)})
    assert os.listdir(flag_dir) == ["default-catalog.sqlite3"]
    assert not env_dir.exists()
    sd.ok("locations", "--catalog", "n",
          env={"SNAPDIR_CACHE_DIR": str(env_dir)})
    assert os.listdir(env_dir) == ["n-catalog.sqlite3"]


def test_cache_dir_default_is_xdg(snapdir_bin, tmp_path):
    """Without --cache-dir or SNAPDIR_CACHE_DIR:
    ${XDG_CACHE_HOME:-$HOME/.cache}/snapdir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAPDIR")}
    env["HOME"] = str(tmp_path / "home")
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    subprocess.run([str(snapdir_bin), "locations"], env=env, check=True,
                   capture_output=True)
    assert os.listdir(tmp_path / "xdg" / "snapdir") == [
        "default-catalog.sqlite3"]
    del env["XDG_CACHE_HOME"]
    subprocess.run([str(snapdir_bin), "revisions", "--location", "/x",
                    "--catalog", "h"], env=env, check=True,
                   capture_output=True)
    assert os.listdir(tmp_path / "home" / ".cache" / "snapdir") == [
        "h-catalog.sqlite3"]


def test_catalog_path_is_used_verbatim(sd, tmp_path):
    p = tmp_path / "deep" / "er" / "my.db"
    sd.ok("locations", "--catalog", p)
    assert p.is_file()
    assert os.listdir(tmp_path / "cache") == []
    # relative to the working directory
    sd.ok("locations", "--catalog", "rel/x.db", cwd=tmp_path)
    assert (tmp_path / "rel" / "x.db").is_file()


def test_unusable_catalog_is_a_catalog_error(sd, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database, just some bytes " * 4)
    for q in QUERIES:
        r = sd.fail(*q, "--catalog", junk,
                    needles=["catalog error", str(junk)])
        assert r.out == b""
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x")
    sd.fail("locations", "--catalog", blocker / "c.db",
            needles=["catalog error", str(blocker)])
