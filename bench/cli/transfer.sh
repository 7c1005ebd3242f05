#!/usr/bin/env bash
# push / pull / checkout through a file:// store versus cp -a of the same tree,
# for 20,000 files of 1-8 KiB and for 4 files of 256 MiB.
# Goals: push <= 1.0 x cp -a, pull <= 1.0 x cp -a, second push <= 0.25 x push.
# Writes under $SNAPDIR_BENCH_WORK (default: next to the data, same filesystem).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bench_need python3

SMALL=$SNAPDIR_BENCH_DIR/small-20000x1-8KiB
BIG=$SNAPDIR_BENCH_DIR/big-4x256MiB
WORK=${SNAPDIR_BENCH_WORK:-$SNAPDIR_BENCH_DIR/xfer-work}
python3 "$BENCH_LIB/gen.py" small "$SMALL"
python3 "$BENCH_LIB/gen.py" big "$BIG"
bench_header transfer.sh
echo "# work dir: $WORK (filesystem: $(df -T "$(dirname "$WORK")" | awk 'NR==2 {print $2}'))"
warm_cache "$SMALL"
python3 "$BENCH_LIB/transfer.py" "$SNAPDIR_BIN" "$SMALL" "$WORK" "${BENCH_RUNS:-5}" \
    "file:// transfers, 20,000 files x 1-8 KiB"
warm_cache "$BIG"
python3 "$BENCH_LIB/transfer.py" "$SNAPDIR_BIN" "$BIG" "$WORK" "${BENCH_RUNS:-3}" \
    "file:// transfers, 4 files x 256 MiB"
