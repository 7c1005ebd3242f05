"""`snapdir sync` (cli-surface.md §5.13, stores.md §4.9-§4.10) and
`snapdir diff` (cli-surface.md §5.14), driven through the CLI.

sync: file:// to file:// copies of one snapshot (manifest last, objects
verified, deduplicated, never through the cache), split object pools,
--dryrun, --delete (mirror), argument errors, corrupted / missing source
data, and SIGKILL at random points (never a manifest without its objects,
never wrong bytes under a final key).

diff: hand-crafted manifests written straight into `.manifests/` (objects
are never read, so `.objects/` holds garbage or nothing): every status,
unions, conflicts, URI@ID and --id pinning, porcelain / JSON bytes,
--exit-code, empty sides and missing stores / ids.
"""

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from sdhelpers import EMPTY_B3, b3_files, make_tree, manifest_id

HEX64 = re.compile(r"^[0-9a-f]{64}$")


# ---- store inspection helpers ---------------------------------------------


def uri(p):
    return "file://" + str(p)


def shard(key):
    return Path(key[:3], key[3:6], key[6:9], key[9:])


def manifest_path(root, mid):
    return Path(root) / ".manifests" / shard(mid)


def object_path(root, key):
    return Path(root) / ".objects" / shard(key)


def keyed_files(root, family):
    """{key: path} of the files exactly at final keys under root/family."""
    out = {}
    top = Path(root) / family
    if not top.is_dir():
        return out
    for dirpath, _dirs, files in os.walk(top):
        rel = Path(dirpath).relative_to(top).parts
        if len(rel) != 3:
            continue
        for name in files:
            key = "".join(rel) + name
            if HEX64.match(key):
                out[key] = Path(dirpath) / name
    return out


def objects(root):
    return keyed_files(root, ".objects")


def manifests(root):
    return keyed_files(root, ".manifests")


def all_files(root):
    """{relative path: bytes} of every regular file under root."""
    root = Path(root)
    out = {}
    if not root.exists():
        return out
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


def file_sums(text):
    """Unique F-entry checksums of a manifest text, with their sizes."""
    out = {}
    for line in text.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        t, _perm, s, size, _path = line.split(" ", 4)
        if t == "F":
            out[s] = int(size)
    return out


def assert_objects_intact(root):
    """Every file under a final object key hashes to that key."""
    objs = objects(root)
    keys = sorted(objs)
    sums = b3_files([objs[k] for k in keys]) if keys else []
    bad = [(k, s) for k, s in zip(keys, sums) if k != s]
    assert not bad, "objects with wrong bytes under their key: %r" % bad
    return set(keys)


def summary(mid, copied, skipped, nbytes):
    return "synced %s: %d copied, %d skipped (%d bytes)\n" % (
        mid, copied, skipped, nbytes)


def tree_files(root):
    """{relative path: bytes} of the regular files of a checked-out tree."""
    return all_files(root)


# ---- fixtures -------------------------------------------------------------


@pytest.fixture
def tree(base):
    """Five files, two of them sharing content, one empty: 4 objects."""
    return make_tree(base / "tree", {
        "a.txt": (b"hello", 0o644),
        "same1": (b"shared bytes\n", 0o644),
        "sub/": 0o755,
        "sub/same2": (b"shared bytes\n", 0o600),
        "sub/b.txt": (b"world!!", 0o755),
        "empty": (b"", 0o644),
    })


def push(sd, store, path, *extra):
    r = sd.ok("push", "--catalog", "none", "--store", uri(store), *extra, path)
    mid = r.text.strip()
    assert HEX64.match(mid), r
    return mid


def expected_objects(store_manifests_root, mid):
    text = manifest_path(store_manifests_root, mid).read_bytes()
    return file_sums(text)


# ==== sync =================================================================


def test_sync_copies_exactly_the_snapshot(sd, base, tree, tmp_path):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    # an unrelated snapshot in the source must not travel
    other = make_tree(base / "other", {"o.txt": (b"other", 0o644)})
    oid = push(sd, src, other)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cache = Path(sd.env["SNAPDIR_CACHE_DIR"])
    cache_before = sorted(os.listdir(cache))
    assert cache_before == []
    src_before = all_files(src)

    r = sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst),
              env={"TMPDIR": str(scratch)})
    assert r.out == (mid + "\n").encode()
    want = expected_objects(src, mid)
    assert len(want) == 4
    assert r.err == summary(mid, 4, 0, sum(want.values())), r

    # exactly the manifest and its objects, byte-identical at the same keys
    got = all_files(dst)
    exp = {str(Path(".manifests") / shard(mid)):
           manifest_path(src, mid).read_bytes()}
    for k in want:
        exp[str(Path(".objects") / shard(k))] = \
            object_path(src, k).read_bytes()
    assert got == exp
    assert oid not in manifests(dst)
    assert_objects_intact(dst)
    # the source is untouched, the cache too, the scratch space is cleaned
    assert all_files(src) == src_before
    assert sorted(os.listdir(cache)) == cache_before
    assert not (cache / ".objects").exists()
    assert not (cache / ".manifests").exists()
    assert os.listdir(scratch) == []

    # a second sync copies nothing and changes nothing
    r = sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
    assert r.out == (mid + "\n").encode()
    assert r.err == summary(mid, 0, 0, 0), r
    assert all_files(dst) == exp

    # the destination is a complete store: verify and pull re-id equal
    sd.ok("verify", "--store", uri(dst), "--id", mid)
    out = base / "out"
    sd.ok("pull", "--store", uri(dst), "--id", mid, out)
    assert sd.ok("id", out).out == (mid + "\n").encode()
    assert tree_files(out) == tree_files(tree)


def test_sync_quiet_and_env_from(sd, base, tree):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    # --from falls back to SNAPDIR_STORE; -q silences the summary, not the id
    r = sd.ok("sync", "-q", "--id", mid, "--to", uri(dst),
              env={"SNAPDIR_STORE": uri(src)})
    assert r.out == (mid + "\n").encode()
    assert r.err == ""
    assert set(manifests(dst)) == {mid}
    assert set(objects(dst)) == set(expected_objects(src, mid))


def test_sync_skips_objects_already_present(sd, base, tree):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
    want = expected_objects(src, mid)
    # drop the manifest and two objects: they come back, the rest is skipped
    os.unlink(manifest_path(dst, mid))
    gone = sorted(want)[:2]
    for k in gone:
        os.unlink(object_path(dst, k))
    r = sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
    assert r.err == summary(mid, 2, len(want) - 2,
                            sum(want[k] for k in gone)), r
    assert set(objects(dst)) == set(want)
    assert set(manifests(dst)) == {mid}
    assert_objects_intact(dst)
    sd.ok("verify", "--store", uri(dst), "--id", mid)


def test_sync_shared_object_copied_once(sd, base):
    shared = b"the same bytes in many files\n" * 10
    entries = {"d%d/" % i: 0o755 for i in range(6)}
    for i in range(60):
        entries["d%d/f%02d" % (i % 6, i)] = (shared, 0o644 if i % 2 else 0o600)
    entries["solo1"] = (b"one", 0o644)
    entries["solo2"] = (b"two!", 0o644)
    entries["e1"] = (b"", 0o644)
    entries["d3/e2"] = (b"", 0o644)
    t = make_tree(base / "many", entries)
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, t)
    r = sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
    assert r.err == summary(mid, 4, 0, len(shared) + 3 + 4 + 0), r
    objs = objects(dst)
    assert len(objs) == 4
    # nothing else under .objects (no duplicates, no temporaries)
    n = sum(len(f) for _d, _s, f in os.walk(dst / ".objects"))
    assert n == 4
    assert_objects_intact(dst)
    out = base / "out"
    sd.ok("pull", "--store", uri(dst), "--id", mid, out)
    assert sd.ok("id", out).out == (mid + "\n").encode()


def test_sync_split_pools(sd, base, tree):
    m1, p1 = base / "m1", base / "p1"
    m2, p2 = base / "m2", base / "p2"
    mid = push(sd, m1, tree, "--objects-store", uri(p1))
    assert set(manifests(m1)) == {mid} and not objects(m1)
    assert not manifests(p1)
    want = file_sums(manifest_path(m1, mid).read_bytes())
    assert set(objects(p1)) == set(want)

    # split -> split: objects land in the pool, the manifest in --to
    r = sd.ok("sync", "--id", mid, "--from", uri(m1),
              "--from-objects", uri(p1), "--to", uri(m2),
              "--to-objects", uri(p2))
    assert r.out == (mid + "\n").encode()
    assert r.err == summary(mid, len(want), 0, sum(want.values())), r
    assert set(manifests(m2)) == {mid}
    assert not (m2 / ".objects").exists()
    assert not (p2 / ".manifests").exists()
    assert set(objects(p2)) == set(want)
    for k in want:
        assert object_path(p2, k).read_bytes() == \
            object_path(p1, k).read_bytes()
    assert manifest_path(m2, mid).read_bytes() == \
        manifest_path(m1, mid).read_bytes()

    # read back through the split destination
    out = base / "out"
    sd.ok("pull", "--store", uri(m2), "--objects-store", uri(p2),
          "--id", mid, out)
    assert sd.ok("id", out).out == (mid + "\n").encode()

    # split -> unified
    u = base / "u"
    r = sd.ok("sync", "--id", mid, "--from", uri(m1),
              "--from-objects", uri(p1), "--to", uri(u))
    assert set(manifests(u)) == {mid}
    assert set(objects(u)) == set(want)

    # unified -> split, into a pool that already holds everything
    m3 = base / "m3"
    r = sd.ok("sync", "--id", mid, "--from", uri(u), "--to", uri(m3),
              "--to-objects", uri(p2))
    assert r.err == summary(mid, 0, len(want), 0), r
    assert set(manifests(m3)) == {mid} and not (m3 / ".objects").exists()

    # forgetting the source pool fails and writes no manifest
    m4 = base / "m4"
    sd.fail("sync", "--id", mid, "--from", uri(m1), "--to", uri(m4),
            needles=[mid])
    assert not manifests(m4)


def test_sync_dryrun_writes_nothing(sd, base, tree, tmp_path):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    want = expected_objects(src, mid)
    src_before = all_files(src)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    r = sd.ok("sync", "--dryrun", "--id", mid, "--from", uri(src),
              "--to", uri(dst), env={"TMPDIR": str(scratch)})
    assert r.out == b""
    assert r.err == "dry-run: would copy %d object(s) for %s\n" % (
        len(want), mid), r
    assert not dst.exists()
    assert all_files(src) == src_before
    assert os.listdir(scratch) == []

    # a partial destination: only the absent objects would be copied
    dst.mkdir()
    k = sorted(want)[0]
    object_path(dst, k).parent.mkdir(parents=True)
    object_path(dst, k).write_bytes(object_path(src, k).read_bytes())
    before = all_files(dst)
    r = sd.ok("sync", "--dryrun", "--id", mid, "--from", uri(src),
              "--to", uri(dst))
    assert r.out == b""
    assert r.err == "dry-run: would copy %d object(s) for %s\n" % (
        len(want) - 1, mid), r
    assert all_files(dst) == before

    # -q silences the notice
    r = sd.ok("sync", "--dryrun", "-q", "--id", mid, "--from", uri(src),
              "--to", uri(dst))
    assert r.out == b"" and r.err == ""
    assert all_files(dst) == before


def _three_snapshots(sd, base):
    common = (b"c", 0o644)
    t1 = make_tree(base / "t1", {"one": (b"1", 0o644), "common": common})
    t2 = make_tree(base / "t2", {"two": (b"22", 0o644), "common": common})
    t3 = make_tree(base / "t3", {"three": (b"333", 0o644)})
    return t1, t2, t3


def test_sync_delete_prunes_manifests_never_objects(sd, base):
    t1, t2, t3 = _three_snapshots(sd, base)
    src, dst = base / "src", base / "dst"
    id1 = push(sd, src, t1)
    id2 = push(sd, src, t2)
    id3 = push(sd, dst, t3)           # only in the destination
    sd.ok("sync", "--id", id2, "--from", uri(src), "--to", uri(dst))
    objs_before = all_files(dst / ".objects")
    o3 = expected_objects(dst, id3)

    # dry run: counts only
    r = sd.ok("sync", "--delete", "--dryrun", "--id", id1, "--from", uri(src),
              "--to", uri(dst))
    assert r.out == b""
    assert r.err == ("dry-run: would copy 1 object(s) and prune 1 "
                     "manifest(s) for %s\n" % id1), r
    assert set(manifests(dst)) == {id2, id3}
    assert all_files(dst / ".objects") == objs_before

    r = sd.ok("sync", "--delete", "--id", id1, "--from", uri(src),
              "--to", uri(dst))
    assert r.out == (id1 + "\n").encode()
    # "one" is new; "common" is already there
    assert r.err == ("mirrored %s: 1 copied, 1 skipped (1 bytes), 1 "
                     "manifest(s) pruned\n" % id1), r
    assert set(manifests(dst)) == {id1, id2}
    # no object was deleted, id3's included
    after = all_files(dst / ".objects")
    for k, v in objs_before.items():
        assert after[k] == v
    assert set(o3) <= set(objects(dst))
    assert_objects_intact(dst)
    for mid in (id1, id2):
        sd.ok("verify", "--store", uri(dst), "--id", mid)

    # mirroring again prunes nothing more
    r = sd.ok("sync", "--delete", "--id", id1, "--from", uri(src),
              "--to", uri(dst))
    assert r.err == ("mirrored %s: 0 copied, 0 skipped (0 bytes), 0 "
                     "manifest(s) pruned\n" % id1), r
    assert set(manifests(dst)) == {id1, id2}


def test_sync_delete_never_prunes_the_synced_id(sd, base):
    t1, t2, t3 = _three_snapshots(sd, base)
    src, dst = base / "src", base / "dst"
    id1 = push(sd, src, t1)
    id2 = push(sd, dst, t2)
    id3 = push(sd, dst, t3)
    o2 = expected_objects(dst, id2)
    objs_before = all_files(dst / ".objects")
    # id3 is already in the destination and absent from the source: the
    # copy is a no-op, the prune removes id2 but keeps the synced id3
    r = sd.ok("sync", "--delete", "--id", id3, "--from", uri(src),
              "--to", uri(dst))
    assert r.out == (id3 + "\n").encode()
    assert r.err == ("mirrored %s: 0 copied, 0 skipped (0 bytes), 1 "
                     "manifest(s) pruned\n" % id3), r
    assert set(manifests(dst)) == {id3}
    assert id1 not in manifests(dst)
    sd.ok("verify", "--store", uri(dst), "--id", id3)
    # id2's objects survive its manifest
    assert set(o2) <= set(objects(dst))
    assert all_files(dst / ".objects") == objs_before


def test_sync_delete_dryrun_into_a_fresh_destination(sd, base, tree):
    # the dry run predicts the real run, which succeeds into a new store
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    n = len(expected_objects(src, mid))
    r = sd.run("sync", "--delete", "--dryrun", "--id", mid,
               "--from", uri(src), "--to", uri(dst))
    assert not dst.exists()
    assert (r.rc, r.out) == (0, b""), r
    assert r.err == ("dry-run: would copy %d object(s) and prune 0 "
                     "manifest(s) for %s\n" % (n, mid)), r
    r = sd.ok("sync", "--delete", "--id", mid, "--from", uri(src),
              "--to", uri(dst))
    assert r.err == ("mirrored %s: %d copied, 0 skipped (%d bytes), 0 "
                     "manifest(s) pruned\n" % (
                         mid, n, sum(expected_objects(src, mid).values()))), r


def test_sync_corrupted_destination_manifest_is_not_present(sd, base, tree):
    # stores.md §4.10 step 1: the copy is skipped only when the destination
    # manifest reads back verified; a damaged one is rewritten
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    n = len(expected_objects(src, mid))
    sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
    p = manifest_path(dst, mid)
    os.chmod(p, 0o644)
    p.write_bytes(b"garbage\n")
    sd.fail("verify", "--store", uri(dst), "--id", mid)
    r = sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
    assert r.err == summary(mid, 0, n, 0), r
    assert p.read_bytes() == manifest_path(src, mid).read_bytes()
    sd.ok("verify", "--store", uri(dst), "--id", mid)


def test_sync_argument_errors(sd, base, tree):
    src = base / "src"
    mid = push(sd, src, tree)
    before = all_files(src)
    sd.fail("sync", "--id", mid, "--from", uri(src), "--to", uri(src),
            needles=["must differ", uri(src)])
    assert all_files(src) == before
    sd.usage("sync", "--id", mid, "--from", uri(src), needles=["--to"])
    sd.usage("sync", "--id", mid, "--to", uri(base / "dst"),
             needles=["--from"])
    sd.fail("sync", "--from", uri(src), "--to", uri(base / "dst"),
            needles=["missing --id option"])
    # --store / --objects-store / --cache-dir are inert on sync
    elsewhere = base / "elsewhere"
    r = sd.ok("sync", "--id", mid, "--store", uri(elsewhere),
              "--objects-store", uri(elsewhere), "--cache-dir", elsewhere,
              "--from", uri(src), "--to", uri(base / "inert"))
    assert r.out == (mid + "\n").encode()
    assert not elsewhere.exists()
    assert set(manifests(base / "inert")) == {mid}
    sd.fail("sync", "--id", mid, "--from", str(src), "--to", uri(base / "d"),
            needles=["file://"])
    assert not (base / "dst").exists() and not (base / "d").exists()


def test_sync_missing_source_store_or_id(sd, base, tree):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    missing = base / "no-such-store"
    sd.fail("sync", "--id", mid, "--from", uri(missing), "--to", uri(dst),
            needles=[str(missing)])
    assert not manifests(dst) and not objects(dst)

    other = "0" * 64
    sd.fail("sync", "--id", other, "--from", uri(src), "--to", uri(dst),
            needles=[other])
    assert not manifests(dst) and not objects(dst)


def test_sync_corrupted_source_object_fails(sd, base, tree):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    want = expected_objects(src, mid)
    bad = sorted(k for k in want if want[k] > 0)[0]
    p = object_path(src, bad)
    os.chmod(p, 0o644)
    p.write_bytes(b"garbage, not the original bytes")
    r = sd.fail("sync", "--id", mid, "--from", uri(src), "--to", uri(dst),
                needles=[bad])
    assert "hash mismatch" in r.err.lower(), r
    assert not manifests(dst)
    assert bad not in objects(dst)
    assert_objects_intact(dst)


def test_sync_missing_source_object_fails(sd, base, tree):
    src, dst = base / "src", base / "dst"
    mid = push(sd, src, tree)
    want = expected_objects(src, mid)
    gone = sorted(want)[-1]
    os.unlink(object_path(src, gone))
    sd.fail("sync", "--id", mid, "--from", uri(src), "--to", uri(dst),
            needles=[gone])
    assert not manifests(dst)
    assert_objects_intact(dst)


def test_sync_killed_midway_never_half_done(sd, base, tmp_path):
    rnd = random.Random(20240605)
    entries = {"d%02d/" % i: 0o755 for i in range(16)}
    for i in range(240):
        size = rnd.choice([0, 1, 100, 4096, 20000, 65536])
        data = rnd.randbytes(size) if size else b""
        entries["d%02d/f%03d" % (i % 16, i)] = (data + b"%d" % i, 0o644)
    t = make_tree(base / "many", entries)
    src = base / "src"
    mid = push(sd, src, t)
    want = expected_objects(src, mid)
    assert len(want) == 240
    env = sd.environ({"TMPDIR": str(tmp_path)})
    cmd = [sd.bin, "sync", "--id", mid, "--from", uri(src)]

    # how long a full sync takes here
    t0 = time.monotonic()
    sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(base / "full"))
    full = max(time.monotonic() - t0, 0.02)

    def check(dst):
        have = assert_objects_intact(dst)
        ms = manifests(dst)
        assert set(ms) <= {mid}, ms
        if ms:
            assert manifest_path(src, mid).read_bytes() == \
                ms[mid].read_bytes()
            missing = set(want) - have
            assert not missing, "manifest present without %d object(s)" % (
                len(missing))
        return have, bool(ms)

    killed_running = 0
    for run in range(8):
        dst = base / ("dst%d" % run)
        for _attempt in range(2):
            p = subprocess.Popen(cmd + ["--to", uri(dst)], env=env,
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            if run % 2 == 0:
                # a random moment in the expected run time
                time.sleep(rnd.uniform(0, full * 1.1))
            else:
                # about a random number of objects under way (cheap
                # proxy: top-level shards of .objects/ created so far)
                top = dst / ".objects"
                start = len(os.listdir(top)) if top.is_dir() else 0
                target = rnd.randint(min(start + 1, len(want)), len(want))
                deadline = time.monotonic() + 30
                while p.poll() is None and time.monotonic() < deadline:
                    try:
                        if len(os.listdir(top)) >= target:
                            break
                    except FileNotFoundError:
                        pass
                    time.sleep(0.001)
            if p.poll() is None:
                killed_running += 1
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=30)
            check(dst)
        # resuming completes and skips what is already in place
        have, done = check(dst)
        r = sd.ok("sync", "--id", mid, "--from", uri(src), "--to", uri(dst))
        if done:
            assert r.err == summary(mid, 0, 0, 0), r
        else:
            todo = set(want) - have
            assert r.err == summary(mid, len(todo), len(have),
                                    sum(want[k] for k in todo)), r
        have, done = check(dst)
        assert done and have == set(want)
    assert killed_running >= 3, killed_running
    sd.ok("verify", "--store", uri(base / "dst0"), "--id", mid)


# ==== diff =================================================================

ROOT = ("D", "755", EMPTY_B3, 0)


def fsum(tag):
    """A stand-in checksum: diff never reads objects."""
    return hashlib.sha256(tag.encode()).hexdigest()


def F(tag, perm="644", size=None):
    return ("F", perm, fsum(tag), len(tag) if size is None else size)


def D(perm="755"):
    return ("D", perm, EMPTY_B3, 0)


def render(entries):
    ents = dict(entries)
    ents.setdefault("./", ROOT)
    lines = []
    for path in sorted(ents, key=lambda p: p.encode()):
        t, perm, s, size = ents[path]
        lines.append(("%s %s %s %d %s\n" % (t, perm, s, size, path)).encode())
    return b"".join(lines)


def put_manifest(sd, root, entries):
    """Write a crafted manifest into root/.manifests; return its id."""
    text = render(entries)
    mid = sd.ok("id", input=text).text.strip()
    assert mid == manifest_id(text)
    p = manifest_path(root, mid)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text)
    return mid


def garbage_objects(root, entries):
    """Object files full of wrong bytes for every checksum, plus junk."""
    for t, _perm, s, _size in entries.values():
        if t == "F":
            p = object_path(root, s)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"not the content " + s.encode())
    (Path(root) / ".objects" / "junk").write_bytes(b"\x00\xff junk")


def rows(*pairs):
    return "".join("%s\t%s\n" % (s, p) for s, p in pairs).encode()


FROM_TREE = {
    "./same": F("same"),
    "./mod": F("old content"),
    "./perm": F("perm"),
    "./gone": F("gone"),
    "./x": F("x was a file"),
    "./d/": D("755"),
    "./d/keep": F("keep"),
    "./olddir/": D(),
    "./sized": F("sized", size=5),
}
TO_TREE = {
    "./same": F("same"),
    "./mod": F("new content"),
    "./perm": F("perm", perm="755"),
    "./new": F("new"),
    "./x/": D(),
    "./x/child": F("child"),
    "./d/": D("700"),                   # directory-only change: silent
    "./d/keep": F("keep"),
    "./newdir/": D(),                   # directory added: silent
    "./sized": F("sized", size=6),      # same checksum, other size
}


@pytest.fixture
def pair(sd, base):
    a, b = base / "a", base / "b"
    ida = put_manifest(sd, a, FROM_TREE)
    idb = put_manifest(sd, b, TO_TREE)
    garbage_objects(a, FROM_TREE)        # wrong bytes: never read
    return a, b, ida, idb


def test_diff_every_status(sd, pair):
    a, b = pair[:2]
    assert not (b / ".objects").exists()  # no objects at all: never read
    r = sd.ok("diff", "--from", uri(a), "--to", uri(b))
    assert r.err == ""
    assert r.out == rows(("D", "./gone"), ("M", "./mod"), ("A", "./new"),
                         ("M", "./perm"), ("M", "./sized"), ("D", "./x"),
                         ("A", "./x/child"))
    r = sd.ok("diff", "--all", "--from", uri(a), "--to", uri(b))
    assert r.out == rows(("=", "./d/keep"), ("D", "./gone"), ("M", "./mod"),
                         ("A", "./new"), ("M", "./perm"), ("=", "./same"),
                         ("M", "./sized"), ("D", "./x"), ("A", "./x/child"))
    # swapping the sides flips A and D
    r = sd.ok("diff", "--from", uri(b), "--to", uri(a))
    assert r.out == rows(("A", "./gone"), ("M", "./mod"), ("D", "./new"),
                         ("M", "./perm"), ("M", "./sized"), ("A", "./x"),
                         ("D", "./x/child"))
    # a side against itself: nothing, or all '=' (files only)
    assert sd.ok("diff", "--from", uri(a), "--to", uri(a)).out == b""
    r = sd.ok("diff", "--all", "--from", uri(a), "--to", uri(a))
    assert r.out == rows(("=", "./d/keep"), ("=", "./gone"), ("=", "./mod"),
                         ("=", "./perm"), ("=", "./same"), ("=", "./sized"),
                         ("=", "./x"))


def test_diff_objects_store_is_garbage_file(sd, base):
    a, b = base / "a", base / "b"
    put_manifest(sd, a, {"./f": F("1")})
    put_manifest(sd, b, {"./f": F("2")})
    (a / ".objects").write_bytes(b"this is not even a directory")
    os.mkfifo(b / ".objects")             # reading it would block
    r = sd.run("diff", "--from", uri(a), "--to", uri(b), timeout=20)
    assert r.rc == 0, r
    assert r.out == rows(("M", "./f"))


def test_diff_directory_only_changes_are_silent(sd, base):
    a, b = base / "a", base / "b"
    put_manifest(sd, a, {"./d/": D("755"), "./gone/": D(), "./d/e/": D(),
                         "./f": F("f")})
    put_manifest(sd, b, {"./d/": D("700"), "./new/": D(), "./d/e/": D("711"),
                         "./f": F("f")})
    assert sd.ok("diff", "--from", uri(a), "--to", uri(b)).out == b""
    r = sd.ok("diff", "--all", "--exit-code", "--from", uri(a),
              "--to", uri(b))
    assert r.out == rows(("=", "./f"))
    r = sd.ok("diff", "--json", "--all", "--from", uri(a), "--to", uri(b))
    assert r.out == b'[{"status":"=","path":"./f"}]\n'


def test_diff_file_replaced_by_directory_and_back(sd, base):
    a, b = base / "a", base / "b"
    put_manifest(sd, a, {"./x": F("file"), "./y/": D(), "./y/in": F("in"),
                         "./y/deep/": D(), "./y/deep/z": F("z")})
    put_manifest(sd, b, {"./x/": D(), "./x/child": F("c"),
                         "./x/sub/": D(), "./x/sub/g": F("g"),
                         "./y": F("now a file")})
    r = sd.ok("diff", "--from", uri(a), "--to", uri(b))
    assert r.out == rows(("D", "./x"), ("A", "./x/child"), ("A", "./x/sub/g"),
                         ("A", "./y"), ("D", "./y/deep/z"), ("D", "./y/in"))


def test_diff_unions_several_refs_per_side(sd, base):
    a1, a2, b1, b2 = (base / n for n in ("a1", "a2", "b1", "b2"))
    put_manifest(sd, a1, {"./p/": D(), "./p/one": F("1"), "./shared": F("s")})
    put_manifest(sd, a2, {"./q/": D(), "./q/two": F("2"), "./shared": F("s")})
    put_manifest(sd, b1, {"./p/": D(), "./p/one": F("1"), "./b1only": F("b")})
    put_manifest(sd, b2, {"./q/": D(), "./q/two": F("2*"),
                          "./shared": F("s")})
    r = sd.ok("diff", "--all", "--from", uri(a1), "--from", uri(a2),
              "--to", uri(b1), "--to", uri(b2))
    assert r.out == rows(("A", "./b1only"), ("=", "./p/one"),
                         ("M", "./q/two"), ("=", "./shared"))
    # one ref per side only sees its own manifest
    r = sd.ok("diff", "--from", uri(a1), "--to", uri(b2))
    assert r.out == rows(("D", "./p/one"), ("A", "./q/two"))
    # a store with several manifests unions them all
    both = base / "both"
    put_manifest(sd, both, {"./p/": D(), "./p/one": F("1"),
                            "./shared": F("s")})
    put_manifest(sd, both, {"./q/": D(), "./q/two": F("2"),
                            "./shared": F("s")})
    r = sd.ok("diff", "--all", "--from", uri(a1), "--from", uri(a2),
              "--to", uri(both))
    assert r.out == rows(("=", "./p/one"), ("=", "./q/two"), ("=", "./shared"))


def test_diff_conflicts_error_names_path_and_refs(sd, base):
    a1, a2, b = base / "a1", base / "a2", base / "b"
    put_manifest(sd, a1, {"./c": F("first"), "./ok": F("ok")})
    put_manifest(sd, a2, {"./c": F("second"), "./ok": F("ok")})
    put_manifest(sd, b, {"./c": F("second")})
    for flag in ("--from", "--to"):
        other = "--to" if flag == "--from" else "--from"
        args = ("diff", flag, uri(a1), flag, uri(a2), other, uri(b))
        r = sd.fail(*args, needles=['"./c"', uri(a1), uri(a2), flag])
        assert "conflict" in r.err
        r2 = sd.fail(*args, "--on-conflict", "error")
        assert r2.err == r.err
    # same content under the same path is no conflict
    # (a second spelling of a1: another ref with the same content)
    r = sd.ok("diff", "--all", "--from", uri(a1),
              "--from", uri(b / ".." / "a1"), "--to", uri(a1))
    assert r.out == rows(("=", "./c"), ("=", "./ok"))
    # a single store holding both versions collides with itself
    s = base / "s"
    put_manifest(sd, s, {"./c": F("first")})
    put_manifest(sd, s, {"./c": F("second")})
    sd.fail("diff", "--to", uri(s), needles=['"./c"', uri(s)])
    sd.usage("diff", "--from", uri(a1), "--on-conflict", "first-wins",
             needles=["first-wins"])


def test_diff_last_wins_takes_the_last_ref(sd, base):
    a1, a2, a3, b = (base / n for n in ("a1", "a2", "a3", "b"))
    put_manifest(sd, a1, {"./c": F("first"), "./only1": F("o1")})
    put_manifest(sd, a2, {"./c": F("second")})
    put_manifest(sd, a3, {"./c": F("first")})
    put_manifest(sd, b, {"./c": F("second"), "./only1": F("o1")})
    lw = ("--on-conflict", "last-wins")

    def diff(*refs):
        args = ["diff", "--all", *lw]
        for ref in refs:
            args += ["--from", uri(ref)]
        return sd.ok(*args, "--to", uri(b)).out

    assert diff(a1, a2) == rows(("=", "./c"), ("=", "./only1"))
    assert diff(a2, a1) == rows(("M", "./c"), ("=", "./only1"))
    assert diff(a1, a2, a3) == rows(("M", "./c"), ("=", "./only1"))
    assert diff(a3, a1, a2) == rows(("=", "./c"), ("=", "./only1"))
    for _ in range(5):
        assert diff(a2, a1) == rows(("M", "./c"), ("=", "./only1"))
        assert diff(a1, a2) == rows(("=", "./c"), ("=", "./only1"))
    # on the --to side as well
    r = sd.ok("diff", *lw, "--from", uri(b), "--to", uri(a2), "--to", uri(a1))
    assert r.out == rows(("M", "./c"))
    r = sd.ok("diff", *lw, "--from", uri(b), "--to", uri(a1), "--to", uri(a2))
    assert r.out == rows()


def test_diff_last_wins_inside_one_store_is_deterministic(sd, base):
    s, ref_lo, ref_hi = base / "s", base / "lo", base / "hi"
    v1 = {"./c": F("version one"), "./k": F("k")}
    v2 = {"./c": F("version two"), "./k": F("k")}
    i1 = put_manifest(sd, s, v1)
    i2 = put_manifest(sd, s, v2)
    # ids are sorted inside a store, so the greater id is the last one
    lo, hi = sorted([(i1, v1), (i2, v2)])
    put_manifest(sd, ref_lo, lo[1])
    put_manifest(sd, ref_hi, hi[1])
    outs = {sd.ok("diff", "--on-conflict", "last-wins", "--all",
                  "--from", uri(s), "--to", uri(ref_hi)).out
            for _ in range(6)}
    assert outs == {rows(("=", "./c"), ("=", "./k"))}
    r = sd.ok("diff", "--on-conflict", "last-wins", "--all",
              "--from", uri(s), "--to", uri(ref_lo))
    assert r.out == rows(("M", "./c"), ("=", "./k"))
    # pinned refs follow the command line, whatever the ids
    for first, last in ((i1, i2), (i2, i1)):
        want = v1 if last == i1 else v2
        tgt = ref_lo if want is lo[1] else ref_hi
        r = sd.ok("diff", "--on-conflict", "last-wins", "--all",
                  "--from", "%s@%s" % (uri(s), first),
                  "--from", "%s@%s" % (uri(s), last), "--to", uri(tgt))
        assert r.out == rows(("=", "./c"), ("=", "./k")), (first, last)


def test_diff_directory_perm_conflict_on_one_side(sd, base):
    a1, a2, b = base / "a1", base / "a2", base / "b"
    put_manifest(sd, a1, {"./d/": D("755"), "./d/f": F("f")})
    put_manifest(sd, a2, {"./d/": D("700"), "./d/f": F("f")})
    put_manifest(sd, b, {"./d/": D("711"), "./d/f": F("f")})
    sd.fail("diff", "--from", uri(a1), "--from", uri(a2), "--to", uri(b),
            needles=['"./d/"'])
    r = sd.ok("diff", "--on-conflict", "last-wins", "--all", "--from",
              uri(a1), "--from", uri(a2), "--to", uri(b))
    assert r.out == rows(("=", "./d/f"))


def test_diff_at_id_pins_one_snapshot(sd, base):
    s = base / "s"
    i1 = put_manifest(sd, s, {"./a": F("a"), "./both": F("b")})
    i2 = put_manifest(sd, s, {"./b": F("b"), "./both": F("b")})
    at1, at2 = "%s@%s" % (uri(s), i1), "%s@%s" % (uri(s), i2)
    assert sd.ok("diff", "--from", at1, "--to", at2).out == \
        rows(("D", "./a"), ("A", "./b"))
    assert sd.ok("diff", "--all", "--from", uri(s), "--to", at2).out == \
        rows(("D", "./a"), ("=", "./b"), ("=", "./both"))
    assert sd.ok("diff", "--all", "--from", at1, "--to", uri(s)).out == \
        rows(("=", "./a"), ("A", "./b"), ("=", "./both"))
    assert sd.ok("diff", "--from", uri(s), "--to", uri(s)).out == b""
    # both pins of one store unioned equal the whole store
    assert sd.ok("diff", "--exit-code", "--from", at1, "--from", at2,
                 "--to", uri(s)).out == b""


def test_diff_id_option_pins_where_present(sd, base):
    s, t = base / "s", base / "t"
    i1 = put_manifest(sd, s, {"./a": F("a")})
    put_manifest(sd, s, {"./b": F("b")})
    put_manifest(sd, t, {"./a": F("a*")})
    put_manifest(sd, t, {"./c": F("c")})
    # --id is in s (only that manifest), not in t (all of t)
    r = sd.ok("diff", "--id", i1, "--from", uri(s), "--to", uri(t))
    assert r.out == rows(("M", "./a"), ("A", "./c"))
    r = sd.ok("diff", "--from", uri(s), "--to", uri(t))
    assert r.out == rows(("M", "./a"), ("D", "./b"), ("A", "./c"))
    # an id in neither store: everything, not an error
    r = sd.ok("diff", "--id", "f" * 64, "--from", uri(s), "--to", uri(t))
    assert r.out == rows(("M", "./a"), ("D", "./b"), ("A", "./c"))
    # an explicit @ID beats --id
    i2 = manifests(s).keys() - {i1}
    (i2,) = i2
    r = sd.ok("diff", "--id", i1, "--from", "%s@%s" % (uri(s), i2),
              "--to", uri(t))
    assert r.out == rows(("A", "./a"), ("D", "./b"), ("A", "./c"))


def test_diff_store_path_with_at_sign(sd, base):
    # only a trailing @<64 hex> is a pin; other @ belong to the path
    s, t = base / "st@re", base / "t@x"
    i1 = put_manifest(sd, s, {"./a": F("a")})
    put_manifest(sd, s, {"./b": F("b")})
    put_manifest(sd, t, {"./a": F("a")})
    assert sd.ok("diff", "--from", uri(s), "--to", uri(t)).out == \
        rows(("D", "./b"))
    assert sd.ok("diff", "--from", "%s@%s" % (uri(s), i1),
                 "--to", uri(t)).out == b""
    sd.fail("diff", "--from", uri(s) + "@abc", needles=["@abc"])


SPECIAL = './q"uo\\te\tTAB é ✓'


def test_diff_json_exact_bytes(sd, base):
    a, b = base / "a", base / "b"
    put_manifest(sd, a, {"./plain": F("p"), "./ctl\x01x": F("c"),
                         "./mod": F("1")})
    put_manifest(sd, b, {SPECIAL: F("s"), "./mod": F("2"),
                         "./ctl\x01x": F("c")})
    r = sd.ok("diff", "--json", "--from", uri(a), "--to", uri(b))
    assert r.out == (
        '[{"status":"M","path":"./mod"},'
        '{"status":"D","path":"./plain"},'
        '{"status":"A","path":"./q\\"uo\\\\te\\tTAB é ✓"}]\n').encode()
    assert json.loads(r.out) == [
        {"status": "M", "path": "./mod"},
        {"status": "D", "path": "./plain"},
        {"status": "A", "path": SPECIAL}]
    r = sd.ok("diff", "--json", "--all", "--from", uri(a), "--to", uri(b))
    assert r.out == (
        '[{"status":"=","path":"./ctl\\u0001x"},'
        '{"status":"M","path":"./mod"},'
        '{"status":"D","path":"./plain"},'
        '{"status":"A","path":"./q\\"uo\\\\te\\tTAB é ✓"}]\n').encode()
    assert json.loads(r.out)[0]["path"] == "./ctl\x01x"
    # porcelain prints the raw bytes
    r = sd.ok("diff", "--from", uri(a), "--to", uri(b))
    assert r.out == rows(("M", "./mod"), ("D", "./plain"), ("A", SPECIAL))
    # no rows: an empty array
    r = sd.ok("diff", "--json", "--from", uri(a), "--to", uri(a))
    assert r.out == b"[]\n"


def test_diff_exit_code(sd, base):
    a, b, c = base / "a", base / "b", base / "c"
    put_manifest(sd, a, {"./f": F("f"), "./d/": D("755")})
    put_manifest(sd, b, {"./f": F("f"), "./d/": D("700")})
    put_manifest(sd, c, {"./f": F("f*")})
    # only '=' rows or directory changes: 0
    r = sd.ok("diff", "--exit-code", "--from", uri(a), "--to", uri(b))
    assert r.out == b""
    r = sd.ok("diff", "--exit-code", "--all", "--from", uri(a), "--to", uri(b))
    assert r.out == rows(("=", "./f"))
    # differences: rows printed, then exit 1 with no message
    for extra in ((), ("--all",), ("--json",)):
        r = sd.run("diff", "--exit-code", *extra, "--from", uri(a),
                   "--to", uri(c))
        assert r.rc == 1, r
        assert r.err == "", r
        assert r.out in (rows(("M", "./f")),
                         b'[{"status":"M","path":"./f"}]\n'), r
    # without --exit-code differences still exit 0
    assert sd.ok("diff", "--from", uri(a), "--to", uri(c)).out == \
        rows(("M", "./f"))
    for args in (("--to", uri(c)), ("--from", uri(c))):
        r = sd.run("diff", "--exit-code", *args)
        assert r.rc == 1 and r.out, r
    assert sd.ok("diff", "--exit-code").out == b""


def test_diff_empty_sides(sd, base):
    a, empty = base / "a", base / "empty"
    put_manifest(sd, a, {"./x": F("x"), "./d/": D(), "./d/y": F("y")})
    empty.mkdir()                              # an existing empty store
    assert sd.ok("diff", "--to", uri(a)).out == rows(("A", "./d/y"),
                                                    ("A", "./x"))
    assert sd.ok("diff", "--from", uri(a)).out == rows(("D", "./d/y"),
                                                      ("D", "./x"))
    assert sd.ok("diff", "--from", uri(a), "--to", uri(empty)).out == \
        rows(("D", "./d/y"), ("D", "./x"))
    assert sd.ok("diff", "--from", uri(empty), "--to", uri(a)).out == \
        rows(("A", "./d/y"), ("A", "./x"))
    r = sd.ok("diff")
    assert r.out == b"" and r.err == ""
    assert sd.ok("diff", "--json").out == b"[]\n"
    assert sd.ok("diff", "--json", "--all", "--from", uri(empty),
                 "--to", uri(empty)).out == b"[]\n"


def test_diff_missing_store_or_id_is_an_error(sd, base):
    a = base / "a"
    ida = put_manifest(sd, a, {"./x": F("x")})
    missing = base / "missing"
    for flag in ("--from", "--to"):
        other = "--to" if flag == "--from" else "--from"
        sd.fail("diff", flag, uri(missing), other, uri(a),
                needles=[str(missing), flag])
        sd.fail("diff", flag, uri(a), flag, uri(missing), other, uri(a),
                needles=[str(missing)])
        nope = "1" * 64
        sd.fail("diff", flag, "%s@%s" % (uri(a), nope), other, uri(a),
                needles=[nope, flag])
        # a pinned id in a missing store
        sd.fail("diff", flag, "%s@%s" % (uri(missing), ida), other, uri(a),
                needles=[str(missing)])
    sd.fail("diff", "--exit-code", "--from", uri(missing))
    sd.fail("diff", "--json", "--to", uri(missing))


def test_diff_corrupted_manifest_is_an_error(sd, base):
    a, b = base / "a", base / "b"
    put_manifest(sd, a, {"./x": F("x")})
    idb = put_manifest(sd, b, {"./x": F("y")})
    p = manifest_path(b, idb)
    p.write_bytes(p.read_bytes().replace(b"./x", b"./z"))
    sd.fail("diff", "--from", uri(a), "--to", uri(b), needles=[idb])


def test_diff_unicode_and_spaced_paths_sorted_by_bytes(sd, base):
    names = ["./a b", "./a.txt", "./a/x", "./a0", "./Z", "./z", "./é",
             "./日本", "./ab c/d e", "./a-b", "./~", "./\u00a0nbsp"]
    a, b = base / "a", base / "b"
    fa = {"./a/": D(), "./ab c/": D()}
    fb = dict(fa)
    for i, n in enumerate(names):
        if i % 3 == 0:
            fa[n] = F("a" + n)
        elif i % 3 == 1:
            fb[n] = F("b" + n)
        else:
            fa[n] = F(n)
            fb[n] = F(n + "*")
    put_manifest(sd, a, fa)
    put_manifest(sd, b, fb)
    expect = []
    for i, n in sorted(enumerate(names), key=lambda x: x[1].encode()):
        expect.append(("DAM"[i % 3], n))
    r = sd.ok("diff", "--from", uri(a), "--to", uri(b))
    assert r.out == rows(*expect)
    got = [line.split(b"\t", 1)[1] for line in r.out.splitlines()]
    assert got == sorted(got)
    r = sd.ok("diff", "--json", "--from", uri(a), "--to", uri(b))
    assert [e["path"] for e in json.loads(r.out)] == [n for _s, n in expect]
