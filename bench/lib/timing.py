#!/usr/bin/env python3
"""Time shell commands side by side and print a table of medians and ratios.

Usage:
    timing.py [--runs N] [--warmup N] [--goal R] [--title TEXT] \
              LABEL=COMMAND LABEL=COMMAND [LABEL=COMMAND ...]

The first command is the subject, the second the baseline (the standard
tool); any further commands are context rows.  Every round runs each command
once, in the order given (A B A B ...), so that drift in machine load hits all
commands alike.  Each command runs under /bin/sh -c with stdout sent to
/dev/null; a non-zero exit status aborts the benchmark.

Per command the table shows the median and min-max wall time, and the median
user+system CPU time (from wait4(), so it includes the command's children).
The ratio column is median(command) / median(baseline); "pair ratios" gives
the min-median-max over rounds of command_i / baseline_i.  With --goal, the
verdict compares the subject's ratio against the goal and the exit status is
still 0 (a benchmark is a measurement, not a test).

Only the Python standard library is used.
"""

import argparse
import os
import statistics
import sys
import time


def run_once(cmd):
    """Run CMD under /bin/sh -c; return (wall seconds, cpu seconds, maxrss KiB)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    r, w = os.pipe()  # stderr goes to a pipe so a failure can be reported
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawn(
            "/bin/sh",
            ["/bin/sh", "-c", cmd],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 1),
                (os.POSIX_SPAWN_DUP2, w, 2),
                (os.POSIX_SPAWN_CLOSE, r),
            ],
        )
        os.close(w)
        w = -1
        err = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            if len(err) < 65536:
                err += chunk
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
    finally:
        os.close(devnull)
        os.close(r)
        if w >= 0:
            os.close(w)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"timing.py: command failed (exit {code}): {cmd}")
    return t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def fmt_s(sec):
    if sec >= 1.0:
        return f"{sec:.3f} s"
    return f"{sec * 1000:.1f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10, help="measured rounds")
    ap.add_argument("--warmup", type=int, default=2, help="unmeasured rounds first")
    ap.add_argument("--goal", type=float, default=None,
                    help="goal for median(subject)/median(baseline)")
    ap.add_argument("--title", default=None)
    ap.add_argument("commands", nargs="+", metavar="LABEL=COMMAND")
    a = ap.parse_args()
    cmds = []
    for spec in a.commands:
        label, sep, cmd = spec.partition("=")
        if not sep or not label or not cmd:
            ap.error(f"expected LABEL=COMMAND, got {spec!r}")
        cmds.append((label, cmd))
    if len(cmds) < 2:
        ap.error("need at least a subject and a baseline command")

    if a.title:
        print(f"== {a.title}")
    print(f"rounds: {a.warmup} warm-up + {a.runs} measured, order per round: "
          + " ".join(lbl for lbl, _ in cmds))
    for lbl, cmd in cmds:
        print(f"  {lbl}: {cmd}")
    sys.stdout.flush()

    for _ in range(a.warmup):
        for _, cmd in cmds:
            run_once(cmd)

    tty = sys.stderr.isatty()
    wall = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    for i in range(a.runs):
        for j, (_, cmd) in enumerate(cmds):
            w, c, _ = run_once(cmd)
            wall[j].append(w)
            cpu[j].append(c)
        if tty:
            sys.stderr.write(f"\r  round {i + 1}/{a.runs}")
            sys.stderr.flush()
    if tty:
        sys.stderr.write("\r" + " " * 24 + "\r")

    base_med = statistics.median(wall[1])
    rows = []
    for j, (lbl, _) in enumerate(cmds):
        med = statistics.median(wall[j])
        pr = [x / y for x, y in zip(wall[j], wall[1])]
        rows.append((
            lbl,
            fmt_s(med),
            f"{fmt_s(min(wall[j]))} - {fmt_s(max(wall[j]))}",
            fmt_s(statistics.median(cpu[j])),
            f"{med / base_med:.2f}",
            f"{min(pr):.2f} / {statistics.median(pr):.2f} / {max(pr):.2f}",
        ))
    head = ("command", "median wall", "min - max wall", "median cpu",
            "ratio", "pair ratios min/med/max")
    widths = [max(len(r[k]) for r in rows + [head]) for k in range(len(head))]
    line = lambda r: "  ".join(s.ljust(widths[k]) if k == 0 else s.rjust(widths[k])
                               for k, s in enumerate(r))
    print(line(head))
    print("  ".join("-" * wd for wd in widths))
    for r in rows:
        print(line(r))

    ratio = statistics.median(wall[0]) / base_med
    subj, base = cmds[0][0], cmds[1][0]
    if a.goal is not None:
        verdict = "MET" if ratio <= a.goal else "NOT MET"
        print(f"RESULT {subj} / {base} = {ratio:.2f} (goal <= {a.goal:.2f}: {verdict})")
    else:
        print(f"RESULT {subj} / {base} = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
