#!/usr/bin/env bash
# The measurement session behind docs/BENCHMARKS.md: loopback ceiling, then each load-test target
# with the server in its own JVM pinned to CPU 0 and the load client pinned to CPU 1 (plus one
# ping run with both on CPU 0), every setting repeated and alternated, then the JMH benchmarks.
# About 10-15 minutes on 2 cores. Everything lands in loadtest/results/ (Markdown, JSON, SVG).
#
# Usage: loadtest/scripts/benchmarks.sh        REPEAT=3 DURATION=10s SKIP_BENCH=1 to adjust
set -euo pipefail
cd "$(dirname "$0")/../.."
out=loadtest/results
mkdir -p "$out"
repeat=${REPEAT:-3}
duration=${DURATION:-10s}
jar=loadtest/target/ferry-loadtest.jar
[ -f "$jar" ] || make -s "$jar"
# 10,000 connections: raise the soft descriptor limit as far as allowed (the server is spawned,
# so each process needs one descriptor per connection).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

client() { # client pinned to CPU 1 (or unpinned on a 1-CPU machine)
  if [ "$(nproc)" -ge 2 ]; then taskset -c 1 java -jar "$jar" "$@"; else java -jar "$jar" "$@"; fi
}
server=(--target spawn --server-cpus 0)

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc: $(nproc)"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel: $(uname -sr)"
  echo "jdk: $(java -version 2>&1 | head -2 | tail -1)"
  echo "ulimit -n: $(ulimit -n)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/machine.txt"

echo "== ceiling"
loadtest/scripts/ceiling.sh 5 | tee "$out/ceiling.md"

echo "== ping, 1 connection, 64-byte bodies: server CPU 0, client CPU 1"
client ping -s 64 "${server[@]}" --warmup 3s --duration "$duration" --repeat "$repeat" \
  --label "ping-pong, 1 connection, server and client on different cores" \
  --out "$out/ping-pinned.json" --svg "$out/ping-pinned.svg" | tee "$out/ping-pinned.md"

echo "== ping, 1 connection, 64-byte bodies: server and client both on CPU 0"
taskset -c 0 java -jar "$jar" ping -s 64 "${server[@]}" --warmup 3s --duration "$duration" --repeat "$repeat" \
  --label "ping-pong, 1 connection, server and client sharing one core" \
  --out "$out/ping-shared.json" --svg "$out/ping-shared.svg" | tee "$out/ping-shared.md"

echo "== pipeline, 64 connections x 16 in flight, 64-byte PINGs"
client pipeline -c 64 -d 16 -s 64 "${server[@]}" --warmup 3s --duration "$duration" --repeat "$repeat" \
  --label "pipelined 64-byte PINGs, 64 connections x 16 in flight" \
  --out "$out/pipeline.json" --svg "$out/pipeline.svg" | tee "$out/pipeline.md"

echo "== TCP_NODELAY x write pattern, ping, 64-byte bodies"
client ping -s 64 "${server[@]}" --compare nodelay,write-pattern --warmup 2s --duration 8s --repeat "$repeat" \
  --out "$out/nodelay.json" --svg "$out/nodelay.svg" | tee "$out/nodelay.md"

echo "== idle: 10,000 connections, one PING each"
client idle -c 10000 "${server[@]}" --duration 5s --repeat "$repeat" \
  --label "10,000 connections held, one PING each" \
  --out "$out/idle.json" --svg "$out/idle.svg" | tee "$out/idle.md"

if [ -z "${SKIP_BENCH:-}" ]; then
  echo "== JMH"
  make -s bench | tee "$out/jmh.txt"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
