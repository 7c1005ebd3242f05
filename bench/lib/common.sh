# Shared settings for the bench/cli/*.sh scripts.  Source it; do not run it.
#
# Environment:
#   SNAPDIR_BIN        snapdir binary            (default: build/snapdir)
#   SNAPDIR_BENCH_DIR  cache of generated data   (default: build/bench-data)
#   BENCH_RUNS         measured rounds           (default: per script)
#   BENCH_WARMUP       unmeasured rounds first   (default: 2)
#   BENCH_EXTRA=1      add context rows (read floor, --walk-jobs 1) to the timing tables

set -euo pipefail

# The settings given in the environment, echoed in the reproduce line.
BENCH_ENV_GIVEN=""
for _v in SNAPDIR_BIN SNAPDIR_BENCH_DIR BENCH_RUNS BENCH_WARMUP BENCH_EXTRA; do
    if [ -n "${!_v+x}" ]; then BENCH_ENV_GIVEN+="$_v=${!_v} "; fi
done

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SNAPDIR_BIN=${SNAPDIR_BIN:-$BENCH_ROOT/build/snapdir}
SNAPDIR_BENCH_DIR=${SNAPDIR_BENCH_DIR:-$BENCH_ROOT/build/bench-data}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_EXTRA=${BENCH_EXTRA:-0}
BENCH_LIB=$BENCH_ROOT/bench/lib

# bench_header SCRIPT: print what is measured on which machine, and how to reproduce it.
bench_header() {
    local script=$1
    echo "# reproduce: cd $BENCH_ROOT && cmake -S . -B build -G Ninja && cmake --build build && ${BENCH_ENV_GIVEN}bench/cli/$script"
    echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r)"
    echo "# snapdir: $SNAPDIR_BIN ($("$SNAPDIR_BIN" version 2>/dev/null | head -1)); $(b3sum --version)"
    echo "# data: $SNAPDIR_BENCH_DIR (filesystem: $(df -T "$SNAPDIR_BENCH_DIR" | awk 'NR==2 {print $2}'))"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

bench_need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || { echo "bench: $t is not installed" >&2; exit 1; }
    done
    [ -x "$SNAPDIR_BIN" ] || { echo "bench: $SNAPDIR_BIN missing; build first (cmake --build build)" >&2; exit 1; }
}

# warm_cache DIR: read every file once so the page cache holds the data set.
warm_cache() {
    find "$1" -type f -print0 | xargs -0 -r cat >/dev/null
}

mkdir -p "$SNAPDIR_BENCH_DIR"
