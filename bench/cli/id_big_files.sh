#!/usr/bin/env bash
# snapdir id on 4 files of 256 MiB (random data, warm page cache) versus
# multithreaded, mmap-ing b3sum on the same files.  Goal: ratio <= 1.10.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bench_need b3sum python3

DIR=$SNAPDIR_BENCH_DIR/big-4x256MiB
RUNS=${BENCH_RUNS:-15}

python3 "$BENCH_LIB/gen.py" big "$DIR"
bench_header id_big_files.sh
warm_cache "$DIR"

# Sanity: snapdir must hash the files exactly as b3sum does.
diff <("$SNAPDIR_BIN" manifest "$DIR" | awk '$1 == "F" {sub("^\\./", "", $5); print $3, $5}' | sort) \
     <(cd "$DIR" && b3sum -- * | awk '{print $1, $2}' | sort) >/dev/null ||
    { echo "bench: snapdir and b3sum disagree on the file hashes in $DIR" >&2; exit 1; }

Q=$(printf %q "$DIR")
S=$(printf %q "$SNAPDIR_BIN")
extra=()
if [ "$BENCH_EXTRA" = 1 ]; then
    extra=("cat (read floor)=cat $Q/* >/dev/null"
           "snapdir id --walk-jobs 1=$S id --walk-jobs 1 $Q"
           "b3sum --num-threads 1=b3sum --num-threads 1 $Q/*")
fi
python3 "$BENCH_LIB/timing.py" --runs "$RUNS" --warmup "$BENCH_WARMUP" --goal 1.10 \
    --title "snapdir id vs b3sum: 4 files x 256 MiB" \
    "snapdir id=$S id $Q" \
    "b3sum=b3sum $Q/*" \
    "${extra[@]}"
