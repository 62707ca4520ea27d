#!/bin/bash
# --loops 1 against --loops 2 for `ferry serve` pinned to CPUs 0,1 (docs/BENCHMARKS.md, "--loops
# scaling"). Per round: a fresh server per loop count, order alternated (1,2 then 2,1, ...), each
# serving a pipelined-PING run and then a 1 MiB GET run; `uptime` is recorded before each run.
# usage: loadtest/scripts/loops-scaling.sh [ROUNDS] [CLIENT_PREFIX]   e.g. 4 "taskset -c 1"
# Environment: OUT (default loadtest/results/loops-scaling), WARMUP (3s), DURATION (6s).
# Summary: python3 loadtest/scripts/loops-scaling-summary.py OUT
set -u
cd "$(dirname "$0")/../.."
ROUNDS=${1:-4}; CP=${2:-}
OUT=${OUT:-loadtest/results/loops-scaling}; WARMUP=${WARMUP:-3s}; DURATION=${DURATION:-6s}
mkdir -p "$OUT"
ROOT=$(mktemp -d /tmp/ferry-loops-root.XXXXXX); CFG=$(mktemp -d /tmp/ferry-loops-cfg.XXXXXX)
trap 'rm -rf "$ROOT" "$CFG"' EXIT
LT="java -jar loadtest/target/ferry-loadtest.jar"
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="1 2"; else order="2 1"; fi
  for L in $order; do
    # --quiet: at the info level every GET writes an access-log line, which is not what is compared.
    taskset -c 0,1 bin/ferry serve --root "$ROOT/data" --create-root --config-dir "$CFG" \
      --listen 127.0.0.1:0 --loops "$L" --quiet > "$OUT/srv-$r-$L.out" 2> "$OUT/srv-$r-$L.err" &
    P=$!
    for _ in $(seq 1 100); do grep -q listening "$OUT/srv-$r-$L.out" 2>/dev/null && break; sleep 0.2; done
    PORT=$(grep -o '127.0.0.1:[0-9]*' "$OUT/srv-$r-$L.out" | head -1 | cut -d: -f2)
    echo "round $r loops $L pid $P port $PORT cpus $(taskset -cp $P | awk '{print $NF}')"
    echo "$(date -u +%T) $(uptime)" > "$OUT/up-$r-$L-pipe.txt"
    $CP $LT pipeline -c 64 -d 16 -s 64 --target 127.0.0.1:$PORT --server-pid $P \
      --warmup "$WARMUP" --duration "$DURATION" --out "$OUT/pipe-$r-$L.json" > "$OUT/pipe-$r-$L.log" 2>&1
    echo "$(date -u +%T) $(uptime)" > "$OUT/up-$r-$L-get.txt"
    $CP $LT get --file-size 1m -c 4 -d 2 --target 127.0.0.1:$PORT --server-pid $P \
      --warmup "$WARMUP" --duration "$DURATION" --out "$OUT/get-$r-$L.json" > "$OUT/get-$r-$L.log" 2>&1
    kill $P; wait $P 2>/dev/null
  done
done
