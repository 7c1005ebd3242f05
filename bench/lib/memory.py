#!/usr/bin/env python3
"""Peak RSS of snapdir manifest / id on a big tree, in bytes per manifest entry.

Usage:
    memory.py [--runs N] [--goal B] [--extra] SNAPDIR_BIN TREE EMPTY_DIR MANIFEST_OUT

Runs, alternately and --runs times each:
    snapdir manifest TREE > MANIFEST_OUT
    snapdir id TREE > /dev/null
    find TREE -printf '%y %m %s %p\\n' > /dev/null     (the standard tool: a
                                                        streaming walk + lstat)
each run under GNU time (/usr/bin/time -f %M), whose maximum resident set
size is that process's peak RSS.  The baseline is the peak RSS of
`snapdir manifest EMPTY_DIR` (binary, libraries, thread stacks, allocator
arenas), measured the same way.

From the last manifest: entries = number of lines, path bytes = sum of the
lengths of the path field.  The figure that is checked against the goal is

    (median peak RSS - baseline RSS - path bytes) / entries

i.e. what snapdir holds per entry beyond the path text itself.  The figure
without the baseline subtracted is printed too.  Only the standard library is
used.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


TIME = "/usr/bin/time"


def spawn(argv, out_path):
    """Run ARGV with stdout to OUT_PATH; return (wall s, peak RSS bytes, cpu s).

    The peak RSS comes from GNU time (%M), which fork()s from its own small
    process.  Reaping the command directly with wait4() would be wrong:
    posix_spawn() vforks, and exec() carries the spawner's high-water RSS
    (here Python's ~13 MiB) into the child's ru_maxrss.
    """
    outfd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with tempfile.NamedTemporaryFile(prefix="snapdir-bench-time.") as rep:
        try:
            t0 = time.perf_counter()
            pid = os.posix_spawn(TIME, [TIME, "-f", "%M %U %S", "-o", rep.name, "--"] + argv,
                                 os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, outfd, 1)])
            _, status, _ = os.wait4(pid, 0)
            t1 = time.perf_counter()
        finally:
            os.close(outfd)
        report = open(rep.name, "rb").read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"memory.py: exit {code}: {' '.join(argv)}: {report.decode(errors='replace')}")
    maxrss_kib, utime, stime = report.split()[-3:]
    return t1 - t0, int(maxrss_kib) * 1024, float(utime) + float(stime)


def manifest_stats(path):
    entries = 0
    path_bytes = 0
    with open(path, "rb") as f:
        for line in f:
            fields = line.rstrip(b"\n").split(b" ", 4)
            if len(fields) != 5:
                raise SystemExit(f"memory.py: unexpected manifest line: {line!r}")
            entries += 1
            path_bytes += len(fields[4])
    return entries, path_bytes


def mib(b):
    return f"{b / 1048576:.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--goal", type=float, default=300.0)
    ap.add_argument("--extra", action="store_true",
                    help="also measure snapdir manifest --walk-jobs 1")
    ap.add_argument("snapdir")
    ap.add_argument("tree")
    ap.add_argument("empty")
    ap.add_argument("manifest_out")
    a = ap.parse_args()

    S = a.snapdir
    cmds = [
        ("snapdir manifest", [S, "manifest", a.tree], a.manifest_out),
        ("snapdir id", [S, "id", a.tree], os.devnull),
        ("find -printf", ["find", a.tree, "-printf", "%y %m %s %p\\n"], os.devnull),
    ]
    if a.extra:
        cmds.append(("snapdir manifest --walk-jobs 1",
                     [S, "manifest", "--walk-jobs", "1", a.tree], os.devnull))

    base = []
    for _ in range(3):
        base.append(spawn([S, "manifest", a.empty], os.devnull)[1])
    baseline = statistics.median(base)

    print(f"rounds: {a.runs}, order per round: " + ", ".join(c[0] for c in cmds))
    for label, argv, out in cmds:
        print(f"  {label}: {' '.join(argv)} > {out}")
    print(f"  baseline: {S} manifest {a.empty} > /dev/null")
    sys.stdout.flush()

    res = {c[0]: [] for c in cmds}
    for _ in range(a.runs):
        for label, argv, out in cmds:
            res[label].append(spawn(argv, out))

    entries, path_bytes = manifest_stats(a.manifest_out)
    print(f"manifest: {entries:,} entries, {path_bytes:,} path bytes "
          f"({path_bytes / entries:.1f} per entry); baseline peak RSS {mib(baseline)}")

    head = ("command", "median peak RSS", "min - max RSS", "median wall",
            "median cpu", "B/entry", "B/entry - baseline")
    rows = []
    per_entry = {}
    for label, _, _ in cmds:
        wall = [r[0] for r in res[label]]
        rss = [r[1] for r in res[label]]
        cpu = [r[2] for r in res[label]]
        med = statistics.median(rss)
        raw = (med - path_bytes) / entries
        net = (med - baseline - path_bytes) / entries
        per_entry[label] = net
        rows.append((label, mib(med), f"{mib(min(rss))} - {mib(max(rss))}",
                     f"{statistics.median(wall):.3f} s", f"{statistics.median(cpu):.3f} s",
                     f"{raw:.1f}", f"{net:.1f}"))
    widths = [max(len(r[k]) for r in rows + [head]) for k in range(len(head))]
    line = lambda r: "  ".join(s.ljust(widths[k]) if k == 0 else s.rjust(widths[k])
                               for k, s in enumerate(r))
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print("(B/entry = (peak RSS - path bytes) / entries; for find, which streams, "
          "it is shown only for scale)")

    find_rss = statistics.median(r[1] for r in res["find -printf"])
    find_wall = statistics.median(r[0] for r in res["find -printf"])
    for label in ("snapdir manifest", "snapdir id"):
        v = per_entry[label]
        rss = statistics.median(r[1] for r in res[label])
        wall = statistics.median(r[0] for r in res[label])
        verdict = "MET" if v <= a.goal else "NOT MET"
        print(f"RESULT {label}: {v:.1f} bytes/entry beyond path bytes and baseline "
              f"(goal <= {a.goal:.0f}: {verdict}); vs find -printf: peak RSS "
              f"{rss / find_rss:.1f}x, wall {wall / find_wall:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
