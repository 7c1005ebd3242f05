#!/usr/bin/env python3
"""Create the benchmark data sets once; reuse them when present.

Usage:
    gen.py big     DIR   4 files of 256 MiB of random data
    gen.py small   DIR   20,000 files of 1-8 KiB (random sizes and data) in 100 directories
    gen.py million DIR   1,000 directories x 1,000 empty files (1,001,001 manifest entries)

Each data set is built in DIR.tmp and renamed to DIR when complete, so an
interrupted run never leaves a half-built set that looks finished.  Content is
derived from a fixed seed, so every machine builds the same tree.  Only the
Python standard library is used.
"""

import os
import random
import shutil
import sys

SEED = 20240601


def build_big(tmp):
    rng = random.Random(SEED)
    chunk = 8 << 20
    for i in range(4):
        with open(os.path.join(tmp, f"big{i}.bin"), "wb") as f:
            for _ in range((256 << 20) // chunk):
                f.write(rng.randbytes(chunk))


def build_small(tmp):
    rng = random.Random(SEED)
    for d in range(100):
        dp = os.path.join(tmp, f"d{d:03d}")
        os.mkdir(dp)
        for k in range(200):
            size = rng.randint(1024, 8192)
            with open(os.path.join(dp, f"f{k:03d}.dat"), "wb") as f:
                f.write(rng.randbytes(size))


def build_million(tmp):
    for d in range(1000):
        dp = os.path.join(tmp, f"d{d:03d}")
        os.mkdir(dp)
        dfd = os.open(dp, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for k in range(1000):
                os.close(os.open(f"f{k:03d}", os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                 0o644, dir_fd=dfd))
        finally:
            os.close(dfd)
        if d % 100 == 99:
            sys.stderr.write(f"\r  {(d + 1) * 1000:,} files")
            sys.stderr.flush()
    sys.stderr.write("\n")


BUILDERS = {"big": build_big, "small": build_small, "million": build_million}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in BUILDERS:
        sys.exit(__doc__)
    kind, dest = sys.argv[1], sys.argv[2].rstrip("/")
    if os.path.isdir(dest):
        return 0
    tmp = dest + ".tmp"
    if os.path.exists(tmp):
        sys.stderr.write(f"gen.py: removing incomplete {tmp}\n")
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    sys.stderr.write(f"gen.py: building {kind} data set in {dest} (once)\n")
    BUILDERS[kind](tmp)
    os.sync()
    os.rename(tmp, dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
