#!/usr/bin/env bash
# snapdir push of 10,000 small files to moto (S3 in server mode, started
# here on 127.0.0.1) versus `aws s3 sync` of the same tree to the same
# server, alternating; then snapdir pull versus `aws s3 sync` back down.
# Goal: push ratio <= 0.33 (the pull ratio is reported alongside).
# Every round writes to a fresh prefix, so each push really uploads.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bench_need python3 moto_server aws b3sum

DIR=$SNAPDIR_BENCH_DIR/s3-10000x64-2KiB
RUNS=${BENCH_RUNS:-3}
WARMUP=${BENCH_WARMUP_S3:-0}

# 10,000 files of 64-2048 bytes in 100 directories, from a fixed seed
if [ ! -d "$DIR" ]; then
    python3 - "$DIR" <<'EOF'
import os, random, sys
final = sys.argv[1]
tmp = final + ".tmp"
rng = random.Random(20240602)
for d in range(100):
    os.makedirs(os.path.join(tmp, "d%03d" % d), exist_ok=True)
    for k in range(100):
        with open(os.path.join(tmp, "d%03d" % d, "f%03d.dat" % k), "wb") as f:
            f.write(rng.randbytes(rng.randint(64, 2048)))
os.rename(tmp, final)
EOF
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/snapdir-bench-s3.XXXXXX")
moto_server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null; wait $MOTO 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/moto-api/data.json" >/dev/null && break
    sleep 0.1
done

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
export AWS_DEFAULT_REGION=us-east-1 SNAPDIR_CATALOG=none
export SNAPDIR_S3_STORE_ENDPOINT_URL=http://127.0.0.1:$PORT
EP="--endpoint-url http://127.0.0.1:$PORT"
aws $EP s3api create-bucket --bucket bench >/dev/null

bench_header push_s3.sh
echo "# server: moto $(python3 -c 'import moto; print(moto.__version__)') on 127.0.0.1:$PORT; $(aws --version 2>&1)"

Q=$(printf %q "$DIR")
S=$(printf %q "$SNAPDIR_BIN")
W=$(printf %q "$WORK")
# a fresh prefix per run: $$ of the shell timing.py starts plus a counter
NEW='P=$(date +%s%N)'
python3 "$BENCH_LIB/timing.py" --runs "$RUNS" --warmup "$WARMUP" --goal 0.33 \
    --title "push 10,000 small files to moto: snapdir push vs aws s3 sync" \
    "snapdir push=$NEW; SNAPDIR_CACHE_DIR=$W/cache-\$P $S push --store s3://bench/snap-\$P $Q" \
    "aws s3 sync=$NEW; aws $EP s3 sync --quiet $Q s3://bench/aws-\$P"

# the pull: one snapshot and one synced copy, downloaded into fresh places
ID=$("$SNAPDIR_BIN" push --store s3://bench/pull-snap "$DIR")
aws $EP s3 sync --quiet "$DIR" s3://bench/pull-aws
python3 "$BENCH_LIB/timing.py" --runs "$RUNS" --warmup "$WARMUP" \
    --title "pull 10,000 small files from moto: snapdir pull vs aws s3 sync" \
    "snapdir pull=$NEW; SNAPDIR_CACHE_DIR=$W/pc-\$P $S pull --store s3://bench/pull-snap --id $ID $W/ps-\$P && rm -rf $W/pc-\$P $W/ps-\$P" \
    "aws s3 sync=$NEW; aws $EP s3 sync --quiet s3://bench/pull-aws $W/pa-\$P && rm -rf $W/pa-\$P"
