#!/usr/bin/env bash
# Run every snapdir CLI benchmark in turn (the `bench` build target), then
# repeat their RESULT lines as a summary.
# Environment: see bench/lib/common.sh (SNAPDIR_BIN, SNAPDIR_BENCH_DIR,
# BENCH_RUNS, BENCH_WARMUP, BENCH_EXTRA).  Exit status is non-zero only if a
# benchmark could not run; missed goals are reported in the RESULT lines.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
echo "# reproduce: cd $(dirname "$here") && cmake -S . -B build -G Ninja && cmake --build build && bench/run.sh"
log=$(mktemp "${TMPDIR:-/tmp}/snapdir-bench.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
for b in id_big_files id_small_files id_memory transfer; do
    echo
    "$here/cli/$b.sh" | tee -a "$log" || { echo "bench: $b failed" >&2; status=1; }
done
echo
echo "== summary"
grep '^RESULT' "$log"
exit $status
