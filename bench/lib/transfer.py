#!/usr/bin/env python3
"""Time snapdir's file:// transfers against cp -a, side by side.

Usage:
    transfer.py SNAPDIR_BIN TREE WORKDIR ROUNDS TITLE

Each round, in alternating order, times on fresh directories under WORKDIR:
    cp -a TREE            (the baseline)
    snapdir push          (to an empty file:// store, empty cache)
    snapdir push again    (the same tree to the same store: nothing to copy)
    snapdir pull          (from that store into an empty directory, empty cache)
    snapdir checkout      (from the now filled cache into an empty directory)
Every directory a command writes is new (never reused after a delete: ext4
allocates inodes slowly right after mass deletes); rounds of a tree over
256 MiB are removed as soon as they are measured (memory on tmpfs), the
rest with WORKDIR at the end. Prints medians, min-max and ratios against cp -a.
Only the Python standard library is used.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time


def timed(cmd, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    snapdir, tree, work, rounds, title = sys.argv[1:6]
    rounds = int(rounds)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ)
    env.pop("SNAPDIR_STORE", None)
    times = {k: [] for k in ("cp -a", "push", "push again", "pull", "checkout")}
    sid = subprocess.run([snapdir, "id", tree], check=True, capture_output=True,
                         text=True).stdout.strip()
    tree_bytes = sum(os.path.getsize(os.path.join(dp, f))
                     for dp, _, fs in os.walk(tree) for f in fs)
    try:
        for r in range(rounds):
            d = os.path.join(work, f"round{r}")
            os.makedirs(d)
            env["SNAPDIR_CACHE_DIR"] = os.path.join(d, "cache")
            store = "file://" + os.path.join(d, "store")
            push = [snapdir, "push", "--catalog", "none", "--store", store, tree]
            pull = [snapdir, "pull", "--catalog", "none", "--store", store,
                    "--id", sid, os.path.join(d, "pulled")]
            cp = ["cp", "-a", tree, os.path.join(d, "copy")]
            first = [("cp -a", cp), ("push", push)]
            if r % 2:
                first.reverse()
            for name, cmd in first:
                times[name].append(timed(cmd, env))
            times["push again"].append(timed(push, env))
            times["pull"].append(timed(pull, env))
            times["checkout"].append(timed(
                [snapdir, "checkout", "--catalog", "none", "--id", sid,
                 os.path.join(d, "checkout")], env))
            out = subprocess.run([snapdir, "id", os.path.join(d, "pulled")],
                                 check=True, capture_output=True, text=True)
            if out.stdout.strip() != sid:
                raise SystemExit(f"bench: pulled tree has id {out.stdout}")
            if tree_bytes > (256 << 20):
                shutil.rmtree(d, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(times["cp -a"])
    print(f"== {title} ({rounds} rounds, fresh directories, alternating)")
    print(f"{'command':<12} {'median':>9} {'min - max':>21} {'ratio':>7}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<12} {med * 1000:7.0f} ms {min(ts) * 1000:8.0f} - "
              f"{max(ts) * 1000:6.0f} ms {med / base:7.2f}")
    push = statistics.median(times["push"])
    print(f"RESULT {title}: push/cp -a = {push / base:.2f} (goal <= 1.0), "
          f"pull/cp -a = {statistics.median(times['pull']) / base:.2f} "
          f"(goal <= 1.0), push again/push = "
          f"{statistics.median(times['push again']) / push:.2f} (goal <= 0.25)")


if __name__ == "__main__":
    main()
