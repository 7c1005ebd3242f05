"""sync and diff across every pair of backends (file, s3, b2, gs): each
snapshot copied from one kind of store to another arrives complete and
verified, is pulled back to the same id, a second sync copies nothing, and
diff compares refs that live in different kinds of stores. --delete is
refused on destinations that are not file://."""

import itertools

import pytest

from conftest import SMALL, make_tree

KINDS = ["file", "s3", "b2", "gs"]


@pytest.fixture
def stores(tmp_path, bucket, gbucket, s3env, gcs):
    """A fresh store URI of each kind, and the environment they all need."""
    env = dict(s3env)
    env["STORAGE_EMULATOR_HOST"] = gcs.url

    def make(kind, name):
        if kind == "file":
            return "file://%s" % (tmp_path / ("fs-" + name))
        if kind == "gs":
            return "gs://%s/%s" % (gbucket, name)
        return "%s://%s/%s" % (kind, bucket, name)

    return make, env


@pytest.mark.parametrize("src_kind,dst_kind",
                         [p for p in itertools.product(KINDS, KINDS)
                          if p[0] != p[1]])
def test_sync_between_every_pair(sd, stores, tmp_path, src_kind, dst_kind):
    make, env = stores
    src = make(src_kind, "src-%s-%s" % (src_kind, dst_kind))
    dst = make(dst_kind, "dst-%s-%s" % (src_kind, dst_kind))
    tree = make_tree(tmp_path / "tree", SMALL)
    sid = sd.ok("push", "--store", src, tree, env=env).text

    r = sd.ok("sync", "--id", sid, "--from", src, "--to", dst, env=env)
    assert r.text == sid
    assert "synced %s: 4 copied, 0 skipped" % sid in r.err, r
    sd.ok("verify", "--store", dst, "--id", sid, env=env)
    again = sd.ok("sync", "--id", sid, "--from", src, "--to", dst, env=env)
    assert "0 copied" in again.err, again

    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", dst, "--id", sid, dest, env=env)
    assert sd.ok("id", dest).text == sid


@pytest.mark.parametrize("dst_kind", ["s3", "b2", "gs"])
def test_sync_delete_needs_a_file_destination(sd, stores, tmp_path, dst_kind):
    make, env = stores
    src, dst = make("file", "del-src-" + dst_kind), make(dst_kind, "del-dst")
    tree = make_tree(tmp_path / "tree", SMALL)
    sid = sd.ok("push", "--store", src, tree, env=env).text
    sd.fail("sync", "--delete", "--id", sid, "--from", src, "--to", dst,
            env=env, needles=("file://",))
    # refused before anything was copied
    sd.fail("verify", "--store", dst, "--id", sid, env=env)


def test_diff_across_backends(sd, stores, tmp_path):
    make, env = stores
    old = make_tree(tmp_path / "old", SMALL)
    new_files = dict(SMALL)
    new_files["a.txt"] = b"changed\n"
    new_files["added.txt"] = b"new\n"
    del new_files["dup.txt"]
    new = make_tree(tmp_path / "new", new_files)
    s3_store, gs_store = make("s3", "diff-a"), make("gs", "diff-b")
    a = sd.ok("push", "--store", s3_store, old, env=env).text
    b = sd.ok("push", "--store", gs_store, new, env=env).text
    r = sd.ok("diff", "--from", "%s@%s" % (s3_store, a),
              "--to", "%s@%s" % (gs_store, b), env=env)
    assert r.out == b"M\t./a.txt\nA\t./added.txt\nD\t./dup.txt\n", r
    # the whole-store form reads the same single manifests
    whole = sd.ok("diff", "--from", s3_store, "--to", gs_store, env=env)
    assert whole.out == r.out
