"""Argument grammar, help/version, stream discipline (cli-surface.md §1-2)."""

import os
import pty
import select
import subprocess
import time

import pytest

from sdhelpers import GOLDEN_ID, GOLDEN_MANIFEST, make_tree, ref_manifest

GOLDEN_ID_LINE = (GOLDEN_ID + "\n").encode()
VERSION = b"snapdir 1.11.0\n"

MANIFEST_OPTS = ["--quiet", "-q", "--color", "--no-progress", "--verbose",
                 "--absolute", "--no-follow", "--checksum-bin", "--exclude",
                 "--walk-jobs", "--help", "-h"]
ID_OPTS = ["--quiet", "-q", "--color", "--no-progress", "--verbose",
           "--exclude", "--walk-jobs", "--help", "-h"]


# ---- usage errors ---------------------------------------------------------

USAGE_CASES = [
    ("unknown-flag", ["manifest", "--bogus", "{d}"], ["--bogus", "manifest"]),
    ("unknown-flag-id", ["id", "--bogus", "{d}"], ["--bogus", "snapdir id"]),
    ("id-catalog", ["id", "--catalog", "x", "{d}"], ["--catalog", "snapdir id"]),
    ("id-catalog-eq", ["id", "--catalog=x", "{d}"], ["--catalog", "snapdir id"]),
    ("manifest-jobs", ["manifest", "--jobs", "2", "{d}"],
     ["--jobs", "snapdir manifest"]),
    ("manifest-j", ["manifest", "-j", "2", "{d}"], ["-j", "snapdir manifest"]),
    ("id-jobs", ["id", "--jobs", "2", "{d}"], ["--jobs", "snapdir id"]),
    ("manifest-limit-rate", ["manifest", "--limit-rate", "1M", "{d}"],
     ["--limit-rate"]),
    ("manifest-id", ["manifest", "--id", GOLDEN_ID, "{d}"], ["--id"]),
    ("manifest-store", ["manifest", "--store", "file:///tmp/x", "{d}"],
     ["--store"]),
    ("id-checksum-bin", ["id", "--checksum-bin", "md5sum", "{d}"],
     ["--checksum-bin"]),
    ("walk-jobs-abc", ["manifest", "--walk-jobs", "abc", "{d}"],
     ["abc", "--walk-jobs"]),
    ("walk-jobs-eq-abc", ["manifest", "--walk-jobs=abc", "{d}"], ["abc"]),
    ("walk-jobs-negative", ["id", "--walk-jobs", "-1", "{d}"], ["--walk-jobs"]),
    ("walk-jobs-empty", ["id", "--walk-jobs=", "{d}"], ["--walk-jobs"]),
    ("walk-jobs-float", ["manifest", "--walk-jobs", "1.5", "{d}"], ["1.5"]),
    ("walk-jobs-missing-value", ["manifest", "{d}", "--walk-jobs"],
     ["--walk-jobs"]),
    ("checksum-bin-missing-value", ["manifest", "{d}", "--checksum-bin"],
     ["--checksum-bin"]),
    ("extra-positional", ["manifest", "{d}", "{d}"], ["snapdir manifest"]),
    ("extra-positional-id", ["id", "{d}", "extra"], ["extra"]),
    ("extra-positional-version", ["version", "extra"], ["extra"]),
    ("unknown-subcommand", ["bogus"], ["bogus"]),
    ("unknown-subcommand-after-flags", ["-q", "--color", "never", "frobnicate"],
     ["frobnicate"]),
    ("help-unknown-subcommand", ["help", "frobnicate"], ["frobnicate"]),
    ("walk-flag-before-subcommand", ["--exclude", "x", "manifest", "{d}"],
     ["--exclude"]),
    ("debug-removed", ["manifest", "--debug", "{d}"], ["--debug"]),
    ("debug-before", ["--debug", "manifest", "{d}"], ["--debug"]),
    ("paths-removed", ["manifest", "--paths", "{d}"], ["--paths"]),
    ("color-bogus", ["manifest", "--color", "sometimes", "{d}"], ["sometimes"]),
    ("color-case", ["--color", "Always", "manifest", "{d}"], ["Always"]),
    ("color-missing-value", ["manifest", "{d}", "--color"], ["--color"]),
    ("flag-with-value", ["manifest", "--absolute=yes", "{d}"], ["--absolute"]),
    ("quiet-with-value", ["manifest", "--quiet=1", "{d}"], ["--quiet"]),
]


@pytest.mark.parametrize("args,needles", [c[1:] for c in USAGE_CASES],
                         ids=[c[0] for c in USAGE_CASES])
def test_usage_errors_exit_2(sd, golden, args, needles):
    args = [a.replace("{d}", str(golden)) for a in args]
    r = sd.usage(*args, needles=needles)
    assert r.err.rstrip("\n").splitlines()[-1].startswith("For more information")


@pytest.mark.parametrize("args", [[], ["-q"], ["--color", "never"],
                                  ["--verbose", "--no-progress"]])
def test_no_subcommand_is_a_usage_error(sd, args):
    r = sd.run(*args)
    assert r.rc == 2, r
    assert r.out == b""
    assert "Usage: snapdir" in r.err
    assert "manifest" in r.err  # it lists the commands


def test_bad_walk_jobs_env_is_a_usage_error(sd, golden):
    sd.usage("manifest", golden, env={"SNAPDIR_WALK_JOBS": "abc"},
             needles=["abc"])
    sd.usage("id", golden, env={"SNAPDIR_WALK_JOBS": "-2"})


def test_usage_error_wins_over_runtime_error(sd, base):
    sd.usage("manifest", "--bogus", base / "missing")


# ---- universal flags, --opt=value ----------------------------------------

PLACEMENTS = [
    ["-q", "manifest", "{d}"],
    ["manifest", "-q", "{d}"],
    ["manifest", "{d}", "-q"],
    ["--quiet", "--color", "never", "--no-progress", "--verbose",
     "manifest", "{d}"],
    ["manifest", "{d}", "--verbose", "--no-progress", "--color=always", "-q"],
    ["--color=always", "manifest", "--verbose", "{d}", "--color", "never"],
    ["--no-progress", "manifest", "--quiet", "{d}"],
    ["--verbose", "manifest", "--", "{d}"],
]


@pytest.mark.parametrize("args", PLACEMENTS, ids=lambda a: " ".join(a))
def test_universal_flags_before_or_after_subcommand(sd, golden, args):
    args = [a.replace("{d}", str(golden)) for a in args]
    assert sd.ok(*args).out == GOLDEN_MANIFEST
    id_args = ["id" if a == "manifest" else a for a in args]
    assert sd.ok(*id_args).out == GOLDEN_ID_LINE


def test_universal_flags_with_id_on_stdin(sd):
    for args in (["-q", "id"], ["id", "--quiet", "--color", "always"],
                 ["--no-progress", "--verbose", "id"]):
        assert sd.ok(*args, input=GOLDEN_MANIFEST).out == GOLDEN_ID_LINE


def test_equals_form_matches_separate_form(sd, golden):
    pairs = [
        (["--checksum-bin", "md5sum"], ["--checksum-bin=md5sum"]),
        (["--exclude", "sub"], ["--exclude=sub"]),
        (["--exclude", "a,b"], ["--exclude=a,b"]),
        (["--walk-jobs", "2"], ["--walk-jobs=2"]),
        (["--color", "never"], ["--color=never"]),
    ]
    for sep, eq in pairs:
        a = sd.ok("manifest", *sep, golden).out
        b = sd.ok("manifest", *eq, golden).out
        assert a == b, (sep, eq)
    assert sd.ok("manifest", "--exclude=sub", golden).out != GOLDEN_MANIFEST
    assert sd.ok("manifest", "--checksum-bin=md5sum", golden).out == \
        ref_manifest(golden, kind="md5")
    # an '=' inside the value belongs to the value
    assert sd.ok("manifest", "--exclude=a=b", golden).out == GOLDEN_MANIFEST


def test_double_dash_ends_options(sd, base):
    tree = make_tree(base / "-weird", {"x": (b"x", 0o644)})
    r = sd.ok("manifest", "--", "-weird", cwd=base)
    assert r.out == ref_manifest(tree)
    sd.usage("manifest", "-weird", cwd=base)


# ---- help and version -----------------------------------------------------


@pytest.mark.parametrize("cmd,opts", [("manifest", MANIFEST_OPTS),
                                      ("id", ID_OPTS)])
def test_subcommand_help_lists_every_option(sd, cmd, opts):
    outs = []
    for args in (["help", cmd], [cmd, "--help"], [cmd, "-h"],
                 ["-q", cmd, "--help"], [cmd, "--verbose", "--help"]):
        r = sd.run(*args)
        assert r.rc == 0, r
        assert r.err == ""
        outs.append(r.out)
        text = r.text
        assert "Usage: snapdir %s" % cmd in text
        for o in opts:
            assert o in text, (o, args)
        assert "\x1b" not in text
    assert len(set(outs)) == 1, "help texts differ between spellings"


def test_manifest_help_does_not_offer_foreign_flags(sd):
    text = sd.ok("manifest", "--help").text
    for foreign in ("--jobs", "--store", "--cache-dir", "--limit-rate",
                    "--id "):
        assert foreign not in text
    assert "--catalog" not in sd.ok("id", "--help").text
    assert "--checksum-bin" not in sd.ok("id", "--help").text


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["help"],
                                  ["-q", "--help"]])
def test_top_level_help(sd, args):
    r = sd.ok(*args)
    assert r.err == ""
    for word in ("manifest", "id", "version", "help", "--quiet", "--color",
                 "--no-progress", "--verbose", "--version", "Usage: snapdir"):
        assert word in r.text, word


@pytest.mark.parametrize("args", [["--version"], ["-V"], ["version"],
                                  ["-q", "version"], ["version", "--quiet"],
                                  ["--color", "never", "--version"]])
def test_version(sd, args):
    r = sd.ok(*args)
    assert r.out == VERSION
    assert r.err == ""


# ---- stream discipline ----------------------------------------------------


def assert_clean_stdout(out):
    assert b"\x1b" not in out
    assert b"\r" not in out
    assert out == b"" or out.endswith(b"\n")


@pytest.mark.parametrize("extra", [[], ["--color", "always"],
                                   ["--color=always", "--verbose"],
                                   ["--color", "never"], ["--color", "auto"]])
def test_stdout_has_no_escape_or_cr_when_piped(sd, golden, extra):
    for args in (["manifest", *extra, golden], ["id", *extra, golden],
                 ["manifest", "--absolute", *extra, golden]):
        r = sd.ok(*args)
        assert_clean_stdout(r.out)
        assert b"\x1b" not in r.err_bytes  # stderr is not a TTY either
    assert sd.ok("manifest", "--color", "always", golden).out == GOLDEN_MANIFEST
    r = sd.ok("id", "--color", "always", input=GOLDEN_MANIFEST)
    assert r.out == GOLDEN_ID_LINE


def run_with_tty_stderr(sd, args, timeout=60):
    """stdout piped, stderr on a pseudo-terminal (where progress is drawn)."""
    master, slave = pty.openpty()
    env = sd.environ({"TERM": "xterm-256color", "COLUMNS": "100"})
    p = subprocess.Popen([sd.bin] + [str(a) for a in args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    err = bytearray()
    out = bytearray()
    deadline = time.monotonic() + timeout
    fds = {p.stdout.fileno(): out, master: err}
    while fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(fds), [], [], 0.2)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if chunk:
                fds[fd] += chunk
            else:
                del fds[fd]
    try:
        rc = p.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        p.stdout.close()
    return rc, bytes(out), bytes(err)


def test_stdout_clean_while_progress_draws_on_a_tty(sd, base):
    rnd_tree = {"big/": 0o755}
    for i in range(8):
        rnd_tree["big/f%d" % i] = (os.urandom(8 * 1024 * 1024), 0o644)
    for i in range(300):
        rnd_tree["small/%03d" % i] = (b"x%d" % i, 0o644)
    rnd_tree["small/"] = 0o755
    tree = make_tree(base / "p", rnd_tree)
    expected = ref_manifest(tree)
    for extra in ([], ["--color", "always"], ["--verbose"]):
        rc, out, err = run_with_tty_stderr(sd, ["manifest", *extra, tree])
        assert rc == 0, err
        assert out == expected
        assert_clean_stdout(out)
        rc, out, err = run_with_tty_stderr(sd, ["id", *extra, tree])
        assert rc == 0, err
        assert_clean_stdout(out)
    # with progress suppressed nothing at all is drawn on the terminal
    for flags in (["--no-progress"], ["-q"]):
        rc, out, err = run_with_tty_stderr(sd, ["manifest", *flags, tree])
        assert rc == 0 and out == expected
        assert b"\x1b" not in err and b"\r" not in err, (flags, err[:200])


# ---- inapplicable environment --------------------------------------------


@pytest.mark.parametrize("env", [
    {"SNAPDIR_LIMIT_RATE": "1M"},
    {"SNAPDIR_LIMIT_RATE": "garbage"},
    {"SNAPDIR_JOBS": "abc"},
    {"SNAPDIR_STORE": "notaproto"},
    {"SNAPDIR_CATALOG": "none"},
    {"SNAPDIR_NO_PROGRESS": "1"},
    {"SNAPDIR_ADAPTIVE": "7"},
], ids=lambda e: ",".join("%s=%s" % kv for kv in e.items()))
def test_inapplicable_env_does_not_affect_output(sd, golden, env):
    r = sd.ok("manifest", golden, env=env)
    assert r.out == GOLDEN_MANIFEST
    assert sd.ok("id", golden, env=env).out == GOLDEN_ID_LINE
    assert sd.ok("id", input=GOLDEN_MANIFEST, env=env).out == GOLDEN_ID_LINE
