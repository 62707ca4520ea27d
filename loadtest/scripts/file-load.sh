#!/usr/bin/env bash
# The file load scenarios of ferry-loadtest (get, put, mixed) against the loopback ceiling, as in
# docs/BENCHMARKS.md "File load scenarios". Each round measures the ceiling (iperf3 -Z and plain,
# loadtest/scripts/ceiling.sh) and then runs every configuration once, so a busy phase of this
# shared machine hits all of them alike. The server is a spawned JVM pinned to CPU 0 serving a
# temporary root on /tmp (file service defaults: SHA-256 digests, fsync on commit); the load
# client is pinned to CPU 1. Prints medians over the rounds with every run, and the ratio of
# payload MB/s to iperf3 -Z (median of the per-round ratios). Raw CSVs: loadtest/results/file-load/.
#
# Usage: loadtest/scripts/file-load.sh      env: ROUNDS=3 WARMUP=10s DURATION=5s CEILING_SECONDS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
# Every configuration starts a fresh server JVM pinned to one core: its JIT (C2) compiles for
# several seconds and takes up to a third of that core meanwhile, so a short warm-up measures
# the compiler (1 MiB GETs: 2,557 req/s after 2 s, 3,522 after 20 s). 10 s lets it finish.
warmup=${WARMUP:-10s}
duration=${DURATION:-5s}
ceiling_secs=${CEILING_SECONDS:-3}
out=loadtest/results/file-load
jar=loadtest/target/ferry-loadtest.jar
mkdir -p "$out"
rm -f "$out"/*.csv "$out"/ceiling-*.txt

pin=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then pin="taskset -c 1"; fi
spawn="--target spawn${pin:+ --server-cpus 0}"

# name|arguments
configs=(
  "get 1 MiB, 1 connection|get -c 1 --file-size 1m"
  "get 1 MiB, 8 connections|get -c 8 --file-size 1m"
  "get 1 MiB, 64 connections|get -c 64 --file-size 1m"
  "get 64 MiB, 1 connection|get -c 1 --file-size 64m"
  "get 64 MiB, 8 connections|get -c 8 --file-size 64m"
  "put 1 MiB, 1 connection|put -c 1 --file-size 1m"
  "put 1 MiB, 8 connections|put -c 8 --file-size 1m"
  "put 1 MiB, 8 connections, --put-verify on|put -c 8 --file-size 1m --put-verify on"
  "put 1 MiB, 8 connections, --server-sync off|put -c 8 --file-size 1m --server-sync off"
  "put 64 MiB, 1 connection|put -c 1 --file-size 64m"
  "put 64 MiB, 1 connection, --server-sync off|put -c 1 --file-size 64m --server-sync off"
  "mixed 1 MiB (ping=80,get=15,put=5), 8 connections|mixed -c 8 --file-size 1m"
  "mixed 1 MiB (ping=80,get=15,put=5), 64 connections|mixed -c 64 --file-size 1m"
)

for r in $(seq 1 "$rounds"); do
  loadtest/scripts/ceiling.sh "$ceiling_secs" >/dev/null
  cp loadtest/results/ceiling.txt "$out/ceiling-$r.txt"
  echo "round $r/$rounds: iperf3 -Z $(awk '/zerocopy/ {print $2}' "$out/ceiling-$r.txt") Gbit/s" >&2
  i=0
  for c in "${configs[@]}"; do
    i=$((i + 1))
    args=${c#*|}
    # shellcheck disable=SC2086
    $pin java -jar "$jar" $args $spawn --warmup "$warmup" --duration "$duration" -q --out "$out/c$i-r$r.csv" >/dev/null
  done
done

# One value of a run's CSV (its first data row) by column name; cells may be quoted ("a, b").
field() { # $1 = csv, $2 = column
  awk -v k="$2" '
    function split_csv(line, out,    n, i, ch, cell, q) {
      n = 0; cell = ""; q = 0
      for (i = 1; i <= length(line); i++) {
        ch = substr(line, i, 1)
        if (q) { if (ch == "\"") { if (substr(line, i + 1, 1) == "\"") { cell = cell ch; i++ } else q = 0 } else cell = cell ch }
        else if (ch == "\"") q = 1
        else if (ch == ",") { out[++n] = cell; cell = "" }
        else if (ch != "\r") cell = cell ch
      }
      out[++n] = cell
      return n
    }
    NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) if (h[i] == k) c = i }
    NR == 2 { split_csv($0, v); print (c ? v[c] : "") }' "$1"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

zs=""; ps=""
for r in $(seq 1 "$rounds"); do
  zs="$zs $(awk '/zerocopy/ {print $2 * 125}' "$out/ceiling-$r.txt")"
  ps="$ps $(awk '/plain/ {print $2 * 125}' "$out/ceiling-$r.txt")"
done
echo "| scenario ($rounds rounds, warm-up $warmup, $duration measured; medians) | payload MB/s | each round | req/s | p50 | p99 | vs iperf3 -Z | errors |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
printf '| loopback ceiling: iperf3 -Z (plain: %.0f) | %.0f | %s | | | | 1.00 | |\n' \
  "$(echo "$ps" | median)" "$(echo "$zs" | median)" "$(for z in $zs; do printf '%.0f ' "$z"; done)"
i=0
for c in "${configs[@]}"; do
  i=$((i + 1))
  mbs=""; rps=""; p50=""; p99=""; ratio=""; errs=0
  for r in $(seq 1 "$rounds"); do
    f="$out/c$i-r$r.csv"
    m=$(field "$f" payloadMegabytesPerSecond)
    z=$(awk '/zerocopy/ {print $2 * 125}' "$out/ceiling-$r.txt")
    mbs="$mbs $m"; rps="$rps $(field "$f" requestsPerSecond)"
    p50="$p50 $(field "$f" p50Micros)"; p99="$p99 $(field "$f" p99Micros)"
    ratio="$ratio $(awk -v m="$m" -v z="$z" 'BEGIN { print m / z }')"
    errs=$((errs + $(field "$f" errors)))
  done
  printf '| %s | %.0f | %s | %.0f | %.2f ms | %.2f ms | %.2f | %d |\n' "${c%%|*}" "$(echo "$mbs" | median)" \
    "$(for m in $mbs; do printf '%.0f ' "$m"; done)" "$(echo "$rps" | median)" \
    "$(awk -v v="$(echo "$p50" | median)" 'BEGIN { print v / 1000 }')" \
    "$(awk -v v="$(echo "$p99" | median)" 'BEGIN { print v / 1000 }')" "$(echo "$ratio" | median)" "$errs"
done
