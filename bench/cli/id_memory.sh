#!/usr/bin/env bash
# Peak RSS of snapdir manifest / id on a 1,000,001-entry tree (1,000
# directories x 1,000 empty files), in bytes per entry beyond the path bytes.
# Goal: <= 300 bytes/entry.  The tree is built once (a few minutes) and reused.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bench_need python3 find /usr/bin/time

DIR=$SNAPDIR_BENCH_DIR/million-1000x1000
EMPTY=$SNAPDIR_BENCH_DIR/empty-dir
RUNS=${BENCH_RUNS:-3}

python3 "$BENCH_LIB/gen.py" million "$DIR"
mkdir -p "$EMPTY"
bench_header id_memory.sh
echo "# warming the page and inode caches (one find over the tree)"
find "$DIR" -printf '%y %m %s %p\n' >/dev/null

extra=()
[ "$BENCH_EXTRA" = 1 ] && extra=(--extra)
echo "== peak RSS: snapdir manifest / id on 1,000 dirs x 1,000 empty files"
python3 "$BENCH_LIB/memory.py" --runs "$RUNS" --goal 300 "${extra[@]}" \
    "$SNAPDIR_BIN" "$DIR" "$EMPTY" "$SNAPDIR_BENCH_DIR/million.manifest"
