"""Walk errors: missing/odd roots, unreadable entries, special files, names."""

import os
import socket

import pytest

from sdhelpers import GOLDEN_ID, GOLDEN_MANIFEST, make_tree, ref_manifest

COMMANDS = [["manifest"], ["id"], ["manifest", "--absolute"]]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: "-".join(c))
def test_missing_path(sd, base, cmd):
    missing = base / "does-not-exist"
    sd.fail(*cmd, missing, needles=[str(missing)])
    # a relative argument is named too
    sd.fail(*cmd, "nope-nope", cwd=base, needles=["nope-nope"])


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: "-".join(c))
def test_file_instead_of_directory(sd, golden, cmd):
    f = golden / "a.txt"
    r = sd.fail(*cmd, f, needles=[str(f)])
    assert "not a directory" in r.err


def test_path_through_a_file(sd, golden):
    p = golden / "a.txt" / "x"
    sd.fail("manifest", p, needles=[str(p)])


def test_dangling_root_symlink(sd, base):
    os.symlink("nowhere", base / "link")
    sd.fail("manifest", base / "link", needles=[str(base / "link")])


def test_unprivileged_user_can_walk_a_readable_tree(sd, golden):
    # guards the setpriv-based tests below: they fail for the right reason
    r = sd.ok("manifest", golden, as_nobody=True)
    assert r.out == GOLDEN_MANIFEST
    assert sd.ok("id", golden, as_nobody=True).out == (GOLDEN_ID + "\n").encode()


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: "-".join(c))
def test_unreadable_file(sd, golden, cmd):
    secret = golden / "sub" / "secret.txt"
    secret.write_bytes(b"top secret")
    os.chmod(secret, 0o000)
    r = sd.fail(*cmd, golden, as_nobody=True, needles=[str(secret)])
    assert "ermission denied" in r.err, r


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: "-".join(c))
def test_unreadable_directory(sd, golden, cmd):
    locked = golden / "sub" / "locked"
    locked.mkdir()
    (locked / "inside").write_bytes(b"x")
    os.chmod(locked, 0o000)
    r = sd.fail(*cmd, golden, as_nobody=True, needles=[str(locked)])
    assert "ermission denied" in r.err, r


def test_unreadable_big_file(sd, golden):
    big = golden / "big.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    os.chmod(big, 0o200)
    sd.fail("manifest", golden, as_nobody=True, needles=[str(big)])


def test_searchable_but_unlistable_directory(sd, golden):
    d = golden / "sub" / "nolist"
    d.mkdir()
    (d / "f").write_bytes(b"x")
    os.chmod(d, 0o311)  # traversable, not readable
    sd.fail("manifest", golden, as_nobody=True, needles=[str(d)])


def test_unreadable_root(sd, golden):
    os.chmod(golden, 0o700)
    sd.fail("manifest", golden, as_nobody=True, needles=[str(golden)])


def test_fifo_and_socket_are_skipped(sd, base):
    root = make_tree(base / "s", {"a.txt": (b"hello", 0o644),
                                  "d/": 0o755, "d/b": (b"b", 0o644)})
    os.mkfifo(root / "fifo", 0o644)
    os.mkfifo(root / "d" / "fifo2", 0o600)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock_path = root / "d" / "sock"
    try:
        sock.bind(str(sock_path))
        sock.listen(1)
        expected = ref_manifest(root)  # regular files and dirs only
        assert b"fifo" not in expected and b"sock" not in expected
        for args in (["manifest"], ["manifest", "--walk-jobs", "1"],
                     ["manifest", "--no-follow"]):
            r = sd.ok(*args, root, timeout=20)
            assert r.out == expected
        r = sd.ok("id", root, timeout=20)
        # a link to a FIFO is skipped as well
        os.symlink("fifo", root / "fifolink")
        assert sd.ok("manifest", root, timeout=20).out == expected
        assert sd.ok("id", root, timeout=20).out == r.out
    finally:
        sock.close()


def test_device_nodes_are_skipped(sd, base):
    root = make_tree(base / "dev", {"a.txt": (b"hello", 0o644)})
    os.symlink("/dev/null", root / "null")
    os.symlink("/dev/zero", root / "zero")
    assert sd.ok("manifest", root, timeout=20).out == ref_manifest(root)


@pytest.mark.parametrize("name", ["new\nline", "trailing\n", "\nleading"])
@pytest.mark.parametrize("kind", ["file", "dir"])
def test_names_with_a_newline_are_rejected(sd, golden, name, kind):
    p = golden / "sub" / name
    if kind == "file":
        p.write_bytes(b"x")
    else:
        p.mkdir()
    for cmd in (["manifest"], ["id"]):
        r = sd.fail(*cmd, golden)
        msg = r.err.lower()
        assert "newline" in msg or "line break" in msg, r
        # it says where the bad name is
        assert str(golden / "sub") in r.err, r


def test_non_utf8_name_is_rejected(sd, golden):
    p = os.path.join(os.fsencode(golden), b"caf\xe9")
    with open(p, "wb") as f:
        f.write(b"x")
    r = sd.fail("manifest", golden)
    assert "UTF-8" in r.err or "utf-8" in r.err.lower(), r


def test_name_with_carriage_return_cannot_corrupt_output(sd, golden):
    # a CR in a name would put "\r" on stdout or break CRLF-tolerant parsing
    (golden / "cr\rname").write_bytes(b"x")
    r = sd.run("manifest", golden)
    assert b"\r" not in r.out
    if r.rc == 0:
        # then it must round-trip through `id` unchanged
        assert sd.ok("id", input=r.out).out == sd.ok("id", golden).out
    else:
        assert r.rc == 1 and r.out == b""
