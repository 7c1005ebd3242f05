"""`snapdir id`: PATH vs stdin, manifest parsing strictness, TTY stdin."""

import os
import pty
import random
import subprocess

import pytest

from sdhelpers import (EMPTY_ID, GOLDEN_ID, GOLDEN_MANIFEST, ID_RE,
                       make_tree, manifest_id)

GOLDEN_ID_LINE = (GOLDEN_ID + "\n").encode()
SUM = "ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f"


def test_path_and_stdin_agree(sd, golden):
    by_path = sd.ok("id", golden)
    assert by_path.out == GOLDEN_ID_LINE
    assert ID_RE.match(by_path.out)
    by_stdin = sd.ok("id", input=GOLDEN_MANIFEST)
    assert by_stdin.out == GOLDEN_ID_LINE
    assert by_stdin.err == ""


def test_path_given_ignores_stdin(sd, golden):
    assert sd.ok("id", golden, input=b"garbage\n").out == GOLDEN_ID_LINE


@pytest.mark.parametrize("manifest_cwd,id_cwd", [
    ("parent", "/"), ("/", "tree"), ("tree", "parent"), ("/", "/")])
def test_manifest_pipe_id_equals_id_from_any_cwd(sd, base, manifest_cwd,
                                                 id_cwd):
    rnd = random.Random(7)
    tree = make_tree(base / "t", {
        "x/": 0o755, "x/y/": 0o700, "x/y/z": (rnd.randbytes(9000), 0o600),
        "with space.txt": (b"s p a c e", 0o644), "r": (b"r", 0o444)})
    cwds = {"parent": base, "tree": tree, "/": "/"}
    arg = {"parent": "t", "tree": ".", "/": str(tree)}
    m = sd.ok("manifest", arg[manifest_cwd], cwd=cwds[manifest_cwd]).out
    via_pipe = sd.ok("id", input=m, cwd=cwds[id_cwd]).out
    direct = sd.ok("id", arg[id_cwd], cwd=cwds[id_cwd]).out
    assert via_pipe == direct == (manifest_id(m) + "\n").encode()


def test_real_pipe_between_processes(sd, golden):
    env = sd.environ()
    a = subprocess.Popen([sd.bin, "manifest", str(golden)],
                         stdout=subprocess.PIPE, env=env)
    b = subprocess.run([sd.bin, "id"], stdin=a.stdout, capture_output=True,
                       env=env, timeout=30)
    a.stdout.close()
    assert a.wait(timeout=30) == 0
    assert b.returncode == 0 and b.stdout == GOLDEN_ID_LINE


def test_empty_stdin_and_dev_null(sd):
    assert sd.ok("id", input=b"").out == (EMPTY_ID + "\n").encode()
    with open(os.devnull, "rb") as f:
        assert sd.ok("id", stdin=f).out == (EMPTY_ID + "\n").encode()
    for text in [b"\n", b"\n\n\r\n", b"# only a comment\n", b"#\n\n# x"]:
        assert sd.ok("id", input=text).out == (EMPTY_ID + "\n").encode(), text


def golden_lines():
    return GOLDEN_MANIFEST.decode().splitlines()


@pytest.mark.parametrize("variant", [
    "no-trailing-newline", "comments", "blank-lines", "crlf", "reversed",
    "shuffled", "all-of-them"])
def test_formatting_does_not_change_the_id(sd, variant):
    lines = golden_lines()
    rnd = random.Random(variant)
    if variant == "no-trailing-newline":
        text = "\n".join(lines)
    elif variant == "comments":
        text = "# snapdir manifest\n" + "\n".join(
            l + "\n#  " + l for l in lines) + "\n#end"
    elif variant == "blank-lines":
        text = "\n\n" + "\n\n\n".join(lines) + "\n\n"
    elif variant == "crlf":
        text = "".join(l + "\r\n" for l in lines)
    elif variant == "reversed":
        text = "\n".join(reversed(lines)) + "\n"
    elif variant == "shuffled":
        rnd.shuffle(lines)
        text = "\n".join(lines) + "\n"
    else:
        rnd.shuffle(lines)
        text = "#c\r\n\r\n" + "\r\n\n# x\r\n".join(lines)
    r = sd.ok("id", input=text.encode())
    assert r.out == GOLDEN_ID_LINE, text


def test_paths_with_spaces_roundtrip(sd, base):
    tree = make_tree(base / "sp", {"a b  c": (b"1", 0o644),
                                   "d e/": 0o755, "d e/ f ": (b"2", 0o644)})
    m = sd.ok("manifest", tree).out
    assert b" ./a b  c\n" in m and b" ./d e/ f \n" in m
    assert sd.ok("id", input=m).out == sd.ok("id", tree).out


GOOD = "F 644 %s 5 ./a.txt" % SUM


def bad_line_cases():
    s = SUM
    return [
        ("four-fields", "F 644 %s 5" % s),
        ("three-fields", "F 644 %s" % s),
        ("one-field", "garbage"),
        ("empty-path", "F 644 %s 5 " % s),
        ("unknown-type", "X 644 %s 5 ./x" % s),
        ("lowercase-type", "f 644 %s 5 ./x" % s),
        ("symlink-type", "L 777 %s 5 ./x" % s),
        ("perm-not-octal", "F 648 %s 5 ./x" % s),
        ("perm-letters", "F rw- %s 5 ./x" % s),
        ("perm-empty", "F  %s 5 ./x" % s),
        ("sum-uppercase", "F 644 %s 5 ./x" % s.upper()),
        ("sum-short", "F 644 %s 5 ./x" % s[:-1]),
        ("sum-long", "F 644 %s0 5 ./x" % s),
        ("sum-non-hex", "F 644 %sg 5 ./x" % s[:-1]),
        ("size-letters", "F 644 %s abc ./x" % s),
        ("size-negative", "F 644 %s -1 ./x" % s),
        ("size-float", "F 644 %s 5.0 ./x" % s),
        ("size-overflow", "F 644 %s 99999999999999999999999 ./x" % s),
        ("dotdot-prefix", "F 644 %s 5 ./../x" % s),
        ("dotdot-middle", "F 644 %s 5 ./a/../../x" % s),
        ("dotdot-dir", "D 755 %s 5 ./../" % s),
        ("bare-dotdot", "F 644 %s 5 ../x" % s),
        ("absolute-in-relative", "F 644 %s 5 /etc/passwd" % s),
        ("duplicate", GOOD),
        ("duplicate-other-content",
         "F 600 %s 7 ./a.txt" % ("0" * 64)),
    ]


@pytest.mark.parametrize("name,bad", bad_line_cases(),
                         ids=[c[0] for c in bad_line_cases()])
def test_malformed_manifest_lines_are_rejected(sd, name, bad):
    # the bad line is physical line 5: a comment and a blank line before it
    text = "# header\n\nD 755 %s 5 ./\n%s\n%s\n" % (SUM, GOOD, bad)
    assert text.splitlines()[4] == bad
    r = sd.fail("id", input=text.encode())
    assert "line 5" in r.err, r
    assert "line 4" not in r.err and "line 3" not in r.err, r


def test_line_numbers_count_crlf_lines(sd):
    text = "#\r\n\r\nD 755 %s 5 ./\r\nF 644 nothex 5 ./x\r\n" % SUM
    r = sd.fail("id", input=text.encode())
    assert "line 4" in r.err, r


def test_parse_error_names_the_offending_field(sd):
    r = sd.fail("id", input=("X 644 %s 5 ./x\n" % SUM).encode())
    assert "line 1" in r.err and '"X"' in r.err
    r = sd.fail("id", input=("F 644 %s 5x ./x\n" % SUM).encode())
    assert "line 1" in r.err and "size" in r.err and "5x" in r.err


def test_stdin_parse_error_has_a_single_prefix(sd):
    # errors print as `snapdir: <message>` (one prefix, one line)
    r = sd.fail("id", input=b"bad\n")
    assert r.err.count("snapdir:") == 1, r
    assert r.err.endswith("\n") and r.err.count("\n") == 1, r
    assert "line 1" in r.err


def test_invalid_utf8_stdin_is_rejected(sd):
    text = ("F 644 %s 5 ./caf" % SUM).encode() + b"\xe9\n"
    sd.fail("id", input=text)


def test_mixed_absolute_and_relative_is_rejected(sd):
    text = "D 755 %s 5 /r/\nF 644 %s 5 ./a.txt\n" % (SUM, SUM)
    r = sd.fail("id", input=text.encode())
    assert "line 2" in r.err


def test_absolute_manifest_on_stdin(sd, golden):
    m = sd.ok("manifest", "--absolute", golden).out
    assert sd.ok("id", input=m).out == (manifest_id(m) + "\n").encode()


def test_large_manifest_on_stdin(sd):
    rows = ["D 755 %s 0 ./" % SUM] + [
        "F 644 %s %d ./f%06d" % (SUM, i, i) for i in range(20000)]
    text = ("\n".join(rows) + "\n").encode()
    r = sd.ok("id", input=text)
    assert r.out == (manifest_id(text) + "\n").encode()
    rev = ("\n".join(reversed(rows)) + "\n").encode()
    assert sd.ok("id", input=rev).out == r.out


def run_with_tty_stdin(sd, args, timeout=20):
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([sd.bin] + args, stdin=slave,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=sd.environ(), start_new_session=True)
        os.close(slave)
        slave = None
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise AssertionError("snapdir %s waited on a TTY stdin" % args)
        return p.returncode, out, err.decode()
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


def test_tty_stdin_without_path_fails(sd):
    rc, out, err = run_with_tty_stdin(sd, ["id"])
    assert rc == 1
    assert out == b""
    assert err.startswith("snapdir: ")
    assert "no directory given and no manifest on stdin" in err


def test_tty_stdin_with_path_walks(sd, golden):
    rc, out, err = run_with_tty_stdin(sd, ["id", str(golden)])
    assert rc == 0 and out == GOLDEN_ID_LINE, err
