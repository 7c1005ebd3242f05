# SPDX-License-Identifier: MIT
"""Shared helpers for the golden and conformance suites: locating the CLI,
running it, BLAKE3 through the ``b3sum`` binary, and readable diffs."""
import difflib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def snapdir_bin():
    """SNAPDIR_BIN, else build/snapdir in the repo (for runs by hand)."""
    path = Path(os.environ.get("SNAPDIR_BIN") or REPO / "build" / "snapdir")
    assert path.is_file() and os.access(path, os.X_OK), (
        f"snapdir CLI not found at {path}: build it first "
        "(cmake -S . -B build -G Ninja && cmake --build build) or set SNAPDIR_BIN")
    return str(path)


def golden_dir():
    path = Path(os.environ.get("SNAPDIR_GOLDEN_DIR") or HERE / "data")
    assert (path / "expected").is_dir(), f"golden data missing under {path}"
    return path


def b3sum_bin():
    path = shutil.which("b3sum")
    assert path, "the b3sum binary is required by the reference walker"
    return path


def base_env(extra=None):
    env = dict(os.environ)
    env.pop("SNAPDIR_MANIFEST_CONTEXT", None)
    env.pop("SNAPDIR_WALK_JOBS", None)
    env["SNAPDIR_NO_PROGRESS"] = "1"
    if extra:
        env.update(extra)
    return env


def run(args, *, input=None, env=None, cwd=None, check=True):
    """Run the CLI with args (str or bytes items); returns CompletedProcess
    with bytes stdout/stderr. With check, a non-zero exit fails the test."""
    cmd = [snapdir_bin()] + list(args)
    proc = subprocess.run(cmd, input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=base_env(env), cwd=cwd,
                          timeout=120)
    if check:
        assert proc.returncode == 0, (
            f"{cmd!r} exited {proc.returncode}; stderr:\n"
            f"{proc.stderr.decode('utf-8', 'replace')}")
    return proc


def manifest(path, *opts, env=None, cwd=None):
    return run(["manifest", *opts, path], env=env, cwd=cwd).stdout


def snapshot_id(path, *opts, env=None, cwd=None):
    return run(["id", *opts, path], env=env, cwd=cwd).stdout


def id_of_stdin(text, env=None):
    return run(["id"], input=text, env=env).stdout


# ---- BLAKE3 via b3sum -----------------------------------------------------

BATCH = 200


def b3_files(paths, context=None):
    """Hex BLAKE3 (derive-key mode with context) of each file, in order."""
    out = []
    paths = [os.fsencode(p) for p in paths]
    for i in range(0, len(paths), BATCH):
        batch = paths[i:i + BATCH]
        cmd = [b3sum_bin(), "--no-names"]
        if context is not None:
            cmd += ["--derive-key", context]
        proc = subprocess.run(cmd + ["--"] + batch, stdout=subprocess.PIPE,
                              check=True)
        sums = proc.stdout.decode("ascii").split()
        assert len(sums) == len(batch), "b3sum printed an unexpected line count"
        out += sums
    return out


def b3_strings(datas, context=None):
    """Hex BLAKE3 of each byte string (written to scratch files, hashed in
    batches)."""
    if not datas:
        return []
    with tempfile.TemporaryDirectory(prefix="sd-b3-") as scratch:
        paths = []
        for i, data in enumerate(datas):
            p = os.path.join(scratch, str(i))
            with open(p, "wb") as fh:
                fh.write(data)
            paths.append(p)
        return b3_files(paths, context)


def b3(data, context=None):
    return b3_strings([data], context)[0]


def id_line(text):
    """What `snapdir id` prints for a manifest text."""
    return (b3(text) + "\n").encode()


# ---- reporting -------------------------------------------------------------

def describe_diff(expected, actual, label="", limit=40):
    """A readable account of how two manifest byte strings differ: the first
    differing line, then a bounded unified diff."""
    exp = expected.decode("utf-8", "replace").splitlines()
    act = actual.decode("utf-8", "replace").splitlines()
    first = None
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else "<missing>"
        a = act[i] if i < len(act) else "<missing>"
        if e != a:
            first = (i + 1, e, a)
            break
    msg = [f"{label}: manifests differ"]
    if first:
        msg.append(f"first difference at line {first[0]}:")
        msg.append(f"  expected: {first[1]!r}")
        msg.append(f"  actual:   {first[2]!r}")
    elif expected != actual:
        msg.append("lines equal, bytes differ (line endings / trailing newline)")
    diff = list(difflib.unified_diff(exp, act, "expected", "actual", lineterm="",
                                     n=1))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more diff lines)"]
    msg += diff
    return "\n".join(msg)
