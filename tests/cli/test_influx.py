"""A tree that changes while it is walked never yields a wrong manifest.

Each run must either fail (exit 1, stdout empty, stderr naming the change
"... during walk ...") or print the manifest of a state the tree really was
in, checked independently by fluxlib.Checker.
"""

import os
import subprocess
import sys
import time

import pytest

import fluxlib
from sdhelpers import make_tree, ref_manifest

HERE = os.path.dirname(os.path.abspath(__file__))


class Mutator:
    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fluxlib.py")] +
            [str(a) for a in args], stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE)

    def assert_alive(self):
        if self.proc.poll() is not None:
            err = self.proc.stderr.read().decode(errors="replace")
            raise AssertionError("mutator died (%s): %s"
                                 % (self.proc.returncode, err[-2000:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()  # only the process we started, by its pid
        self.proc.wait(timeout=30)
        self.proc.stderr.close()


def classify(r):
    """'ok' or 'influx'; anything else fails the test."""
    assert r.rc in (0, 1), r  # never killed by a signal (SIGBUS, SIGSEGV)
    if r.rc == 1:
        assert r.out == b"", r
        assert r.err.startswith("snapdir: "), r
        assert "during walk" in r.err, r
        assert "\x1b" not in r.err
        return "influx"
    assert r.err == "", r
    return "ok"


def run_under_churn(sd, mutator, args, check, min_runs, max_seconds,
                    stop_when_influx_seen=False):
    stats = {"ok": 0, "influx": 0}
    start = time.monotonic()
    runs = 0
    while True:
        mutator.assert_alive()
        r = sd.run(*args, timeout=120)
        kind = classify(r)
        stats[kind] += 1
        runs += 1
        if kind == "ok":
            probs = check(r.out)
            assert not probs, "wrong manifest under churn (run %d): %s" % (
                runs, probs[:10])
        elapsed = time.monotonic() - start
        if runs >= min_runs and (elapsed > max_seconds or (
                stop_when_influx_seen and stats["influx"])):
            break
    mutator.assert_alive()
    return stats


def test_truncating_a_huge_mmapped_file_is_in_flux(sd, shm_base):
    size, cut = 512 * 1024 * 1024, 1024 * 1024
    root = make_tree(shm_base / "huge", {"a.txt": (b"hello", 0o644),
                                         "d/": 0o755, "d/b": (b"b", 0o644)})
    big = root / "d" / "zero.bin"
    with open(big, "wb") as f:
        f.truncate(size - cut)
    os.chmod(big, 0o644)
    short = ref_manifest(root)
    with open(big, "r+b") as f:
        f.truncate(size)
    full = ref_manifest(root)
    # quiescent: exactly the reference
    assert sd.ok("manifest", root).out == full
    allowed = {full, short}
    mutator = Mutator("tail", big, size, cut)
    try:
        time.sleep(0.05)
        stats = run_under_churn(
            sd, mutator, ["manifest", root],
            lambda out: [] if out in allowed else ["not a known state"],
            min_runs=4, max_seconds=2)
        ids = {(s + "\n").encode() for s in fluxlib.b3_many([full, short])}
        stats_id = run_under_churn(
            sd, mutator, ["id", "--walk-jobs", "1", root],
            lambda out: [] if out in ids else ["not a known id"],
            min_runs=2, max_seconds=1)
    finally:
        mutator.stop()
    print("huge stats", stats, stats_id)
    assert stats["influx"] >= 1, stats
    assert stats_id["influx"] >= 1, stats_id
    # and once quiet again, the exact manifest
    with open(big, "r+b") as f:
        f.truncate(size)
    assert sd.ok("manifest", root).out == full


@pytest.mark.parametrize("walk_jobs", ["1", "4"])
def test_churning_tree_never_yields_a_wrong_manifest(sd, shm_base, walk_jobs):
    seed = 20240 + int(walk_jobs)
    model = fluxlib.churn_model(seed)
    root = shm_base / "churn"
    outside = shm_base / "outside"
    root.mkdir()
    outside.mkdir()
    fluxlib.materialise(str(root), model)
    checker = fluxlib.Checker(model)
    # the checker accepts the quiescent tree, and rejects a doctored one
    quiet = sd.ok("manifest", root).out
    assert quiet == ref_manifest(root)
    assert checker.problems(quiet) == []
    rows = quiet.split(b"\n")
    i = next(k for k, l in enumerate(rows) if l.endswith(b" ./big/f1.bin"))
    doctored = rows[i].split(b" ")
    doctored[2] = fluxlib.b3_many([model["files"]["big/f1.bin"]["contents"][0]
                                   [:100] + b"\0" * 50])[0].encode()
    assert checker.problems(b"\n".join(
        rows[:i] + [b" ".join(doctored)] + rows[i + 1:])) != []
    assert checker.problems(quiet.replace(b" ./deep/a/b/leaf\n", b" ./x\n"))

    mutator = Mutator("churn", root, outside, seed)
    try:
        time.sleep(0.05)
        stats = run_under_churn(sd, mutator,
                                ["manifest", "--walk-jobs", walk_jobs, root],
                                checker.problems, min_runs=20, max_seconds=5)
    finally:
        mutator.stop()
    print("churn stats", stats)
    assert stats["influx"] >= 1, stats


def test_directory_deleted_during_walk(sd, shm_base):
    seed = 99
    model = fluxlib.doomed_model(seed)
    root = shm_base / "tree"
    outside = shm_base / "outside"
    root.mkdir()
    outside.mkdir()
    fluxlib.materialise(str(root), model)
    checker = fluxlib.Checker(model)
    quiet = sd.ok("manifest", root).out
    assert quiet == ref_manifest(root) and checker.problems(quiet) == []
    mutator = Mutator("doomed", root, outside, seed)
    try:
        time.sleep(0.05)
        stats = run_under_churn(sd, mutator, ["manifest", root],
                                checker.problems, min_runs=10, max_seconds=8,
                                stop_when_influx_seen=True)
    finally:
        mutator.stop()
    print("doomed stats", stats)
    assert stats["influx"] >= 1, stats
