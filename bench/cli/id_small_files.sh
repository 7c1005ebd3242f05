#!/usr/bin/env bash
# snapdir id on 20,000 files of 1-8 KiB in 100 directories (warm page cache)
# versus find | xargs -0 -P2 -n 2500 b3sum.  Goal: ratio <= 1.0.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bench_need b3sum python3

DIR=$SNAPDIR_BENCH_DIR/small-20000x1-8KiB
RUNS=${BENCH_RUNS:-21}

python3 "$BENCH_LIB/gen.py" small "$DIR"
bench_header id_small_files.sh
warm_cache "$DIR"

# Sanity: snapdir must hash every file exactly as b3sum does.
diff <("$SNAPDIR_BIN" manifest "$DIR" | awk '$1 == "F" {sub("^\\./", "", $5); print $3, $5}' | sort) \
     <(cd "$DIR" && find . -type f -print0 | xargs -0 b3sum -- | awk '{sub("^\\./", "", $2); print $1, $2}' | sort) >/dev/null ||
    { echo "bench: snapdir and b3sum disagree on the file hashes in $DIR" >&2; exit 1; }

Q=$(printf %q "$DIR")
S=$(printf %q "$SNAPDIR_BIN")
extra=()
if [ "$BENCH_EXTRA" = 1 ]; then
    extra=("find -printf (metadata floor)=find $Q -printf '%y %m %s %p\n' >/dev/null"
           "tar | cat (data floor)=tar -cf - $Q 2>/dev/null | cat >/dev/null"
           "snapdir id --walk-jobs 1=$S id --walk-jobs 1 $Q"
           "find | xargs b3sum (1 process)=find $Q -type f -print0 | xargs -0 b3sum >/dev/null")
fi
python3 "$BENCH_LIB/timing.py" --runs "$RUNS" --warmup "$BENCH_WARMUP" --goal 1.0 \
    --title "snapdir id vs find | xargs -P2 b3sum: 20,000 files x 1-8 KiB in 100 directories" \
    "snapdir id=$S id $Q" \
    "find | xargs -P2 b3sum=find $Q -type f -print0 | xargs -0 -P2 -n 2500 b3sum >/dev/null" \
    "${extra[@]}"
