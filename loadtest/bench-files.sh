#!/usr/bin/env bash
# File-transfer benchmark: loopback ceiling (iperf3 -Z, iperf3) and Ferry GET/PUT in one run,
# server pinned to core 0, client to core 1, rounds alternated, medians and ratios printed as
# Markdown (also written to loadtest/results/bench-files.md). Takes a few minutes; needs ~10 GiB
# free in $BENCH_DIR. Usage: loadtest/bench-files.sh [--size 2g] [--rounds 5] [--clients 100]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v iperf3 >/dev/null 2>&1; then
  echo "installing iperf3 (the loopback ceiling)..." >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y iperf3 >&2; else sudo apt-get install -y iperf3 >&2; fi
fi
for tool in taskset dd; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-files: $tool is required" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "bench-files: needs 2 cores to pin server and client apart" >&2; exit 1
fi

${MVN:-mvn} -o -q -B -DskipTests package -pl loadtest -am
CP="loadtest/target/classes:reactor/core/target/classes:reactor/services/target/classes:reactor/client/target/classes:protocol/target/classes"
mkdir -p loadtest/results
exec taskset -c 1 java -Xmx1g -XX:+UseSerialGC -cp "$CP" ferry.loadtest.FileBench run \
  --dir "${BENCH_DIR:-/tmp/ferry-bench}" --out loadtest/results/bench-files.md "$@"
