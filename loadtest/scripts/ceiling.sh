#!/usr/bin/env bash
# Loopback TCP ceiling of this machine, measured with iperf3: zero-copy (-Z, sendfile) and plain
# (copying write()). Server and client are pinned to different cores when there are two or more,
# like the load test's pinned runs. Prints a Markdown table and writes
# loadtest/results/ceiling.txt (Gbit/s, one line per mode) for the benchmark session.
#
# Usage: loadtest/scripts/ceiling.sh [SECONDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-${CEILING_SECONDS:-5}}
port=${CEILING_PORT:-5299}
out=loadtest/results
mkdir -p "$out"

if ! command -v iperf3 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ceiling: installing Debian's iperf3" >&2
    (apt-get install -y -qq iperf3 >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq iperf3 >/dev/null)
  else
    echo "ceiling: iperf3 is missing; install it (Debian: apt-get install iperf3)" >&2
    exit 1
  fi
fi

server_pin=""; client_pin=""
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
  server_pin="taskset -c 0"; client_pin="taskset -c 1"
fi

# One server per measurement (-1: exit after one client), on loopback only.
measure() { # $1 = extra client flags; prints Gbit/s received
  $server_pin iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  local spid=$! line="" try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    sleep 0.3 # let the server bind; a probe connection would use up its one client
    line=$($client_pin iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -f g $1 2>/dev/null | awk '/receiver/ {print}') && [ -n "$line" ] && break
  done
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  [ -n "$line" ] || { echo "ceiling: iperf3 client failed" >&2; exit 1; }
  echo "$line" | awk '{for (i = 1; i <= NF; i++) if ($i == "Gbits/sec") print $(i - 1)}'
}

zc=$(measure "-Z")
plain=$(measure "")
{
  echo "iperf3_zerocopy_gbps $zc"
  echo "iperf3_plain_gbps $plain"
} > "$out/ceiling.txt"
echo "| loopback ceiling ($secs s, iperf3 $(iperf3 --version | head -1 | awk '{print $2}')${server_pin:+, server cpu 0, client cpu 1}) | Gbit/s | MB/s |"
echo "|---|---:|---:|"
awk -v z="$zc" -v p="$plain" 'BEGIN {
  printf "| iperf3 -Z (sendfile) | %s | %.0f |\n", z, z * 1000 / 8
  printf "| iperf3 (plain write) | %s | %.0f |\n", p, p * 1000 / 8 }'
