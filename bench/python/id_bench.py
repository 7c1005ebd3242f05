#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`await snapdir.id(tree)` versus the CLI's `snapdir id tree`, side by side.

Usage:
    bench/python/id_bench.py [--runs N] [--warmup N] [--set small|big|both] [--extra]

Per data set (bench/lib/gen.py, generated once into $SNAPDIR_BENCH_DIR,
default build/bench-data; warm page cache), every round runs the CLI once
(a child process, wall time from spawn to exit) and the package once (the
wall time of `await snapdir.id(tree)` on a running event loop), alternating
which goes first so drift hits both alike. Prints medians, min-max, the
ratio python/CLI and a RESULT line against the goal (ratio <= 1.05). With
--extra, a context row for the native call without asyncio.

The package is whatever `import snapdir` finds (the installed one, or set
PYTHONPATH=<build>/python); the CLI is $SNAPDIR_BIN, else build/snapdir.
Missing the goal is not a failure (exit 0); failing to run is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GOAL = 1.05
SETS = {"small": "small-20000x1-8KiB", "big": "big-4x256MiB"}


def cli_time(binary: str, tree: str, env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    p = subprocess.run([binary, "id", tree], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("bench: %s id %s failed: %s" % (binary, tree, p.stderr.decode()))
    return dt, p.stdout.decode().strip()


def warm(tree: str) -> None:
    for dirpath, _dirs, files in os.walk(tree):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                while fh.read(1 << 20):
                    pass


def fmt(xs: list[float]) -> str:
    return "%9.1f ms  (%.1f-%.1f)" % (
        1000 * statistics.median(xs), 1000 * min(xs), 1000 * max(xs))


def bench_set(loop: asyncio.AbstractEventLoop, snapdir, binary: str, tree: str,
              runs: int, warmup: int, extra: bool, env: dict[str, str]) -> float:
    import snapdir.snapdir as native

    async def py_id() -> tuple[float, str]:
        t0 = time.perf_counter()
        got = await snapdir.id(tree)
        return time.perf_counter() - t0, got

    def native_id() -> tuple[float, str]:
        t0 = time.perf_counter()
        got = native.id(tree, False, False, None, None, None)
        return time.perf_counter() - t0, got

    warm(tree)
    py_t: list[float] = []
    cli_t: list[float] = []
    nat_t: list[float] = []
    pairs: list[float] = []
    ids = set()
    for i in range(warmup + runs):
        order = ("py", "cli") if i % 2 == 0 else ("cli", "py")
        r: dict[str, float] = {}
        for who in order:
            if who == "py":
                r[who], got = loop.run_until_complete(py_id())
            else:
                r[who], got = cli_time(binary, tree, env)
            ids.add(got)
        if extra:
            r["native"], got = native_id()
            ids.add(got)
        if len(ids) != 1:
            sys.exit("bench: the package and the CLI disagree: %s" % sorted(ids))
        if i >= warmup:
            py_t.append(r["py"])
            cli_t.append(r["cli"])
            pairs.append(r["py"] / r["cli"])
            if extra:
                nat_t.append(r["native"])
    ratio = statistics.median(py_t) / statistics.median(cli_t)
    print("  %-34s %s  ratio %.3f" % ("await snapdir.id(tree)", fmt(py_t), ratio))
    print("  %-34s %s  ratio 1.000" % ("snapdir id tree (CLI, baseline)", fmt(cli_t)))
    if extra:
        print("  %-34s %s  ratio %.3f" % ("native id() (blocking, no loop)", fmt(nat_t),
                                          statistics.median(nat_t) / statistics.median(cli_t)))
    print("  pair ratios python/CLI: min %.3f  median %.3f  max %.3f" % (
        min(pairs), statistics.median(pairs), max(pairs)))
    return ratio


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 15)))
    ap.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 2)))
    ap.add_argument("--set", choices=("small", "big", "both"), default="both")
    ap.add_argument("--extra", action="store_true",
                    default=os.environ.get("BENCH_EXTRA") == "1")
    args = ap.parse_args()

    import snapdir

    binary = os.environ.get("SNAPDIR_BIN", str(ROOT / "build" / "snapdir"))
    data = Path(os.environ.get("SNAPDIR_BENCH_DIR", ROOT / "build" / "bench-data"))
    if not os.access(binary, os.X_OK):
        sys.exit("bench: %s missing; build first (cmake --build build)" % binary)
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("SNAPDIR_MANIFEST_CONTEXT", None)
    env["SNAPDIR_NO_PROGRESS"] = "true"
    os.environ.pop("SNAPDIR_MANIFEST_CONTEXT", None)

    print("# reproduce: cd %s && bench/python/id_bench.py --runs %d --set %s%s"
          % (ROOT, args.runs, args.set, " --extra" if args.extra else ""))
    print("# machine: %d CPUs, %s, kernel %s" % (os.cpu_count() or 0, platform.processor()
                                                 or platform.machine(), platform.release()))
    print("# python: %s; package: %s (%s)" % (platform.python_version(), snapdir.__file__,
                                               snapdir.version()))
    print("# cli: %s (%s)" % (binary, subprocess.run([binary, "version"], capture_output=True,
                                                     text=True).stdout.strip()))
    print("# data: %s" % data)
    print("# date: %s" % time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))

    loop = asyncio.new_event_loop()
    worst = 0.0
    try:
        for name in (("small", "big") if args.set == "both" else (args.set,)):
            tree = data / SETS[name]
            subprocess.run([sys.executable, str(ROOT / "bench" / "lib" / "gen.py"), name,
                            str(tree)], check=True)
            print("\n== %s (%s), %d rounds after %d warm-up" % (name, tree.name, args.runs,
                                                              args.warmup))
            worst = max(worst, bench_set(loop, snapdir, binary, str(tree), args.runs,
                                         args.warmup, args.extra, env))
    finally:
        loop.close()
    print("\nRESULT python-id: worst median ratio python/CLI %.3f (goal <= %.2f): %s"
          % (worst, GOAL, "MET" if worst <= GOAL else "NOT MET"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
