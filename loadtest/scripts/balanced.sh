#!/usr/bin/env bash
# Throughput of 1, 2 and 3 Ferry nodes behind HAProxy on this machine (docs/DEPLOYING.md
# "Scaling"): the nodes are `ferry serve` processes on 127.0.0.1 over one root and one user store,
# PROXY protocol v2 from the balancer, which runs with the health check docs/DEPLOYING.md gives
# (read from it). One node without the balancer is the baseline. Every run is ferry-loadtest
# against the balancer, logged in (SCRAM) on every connection.
#
# All processes share this machine's cores: this measures what the balancer and more nodes cost
# or gain here, not what N machines reach (docs/DEPLOYING.md derives that from per-core figures).
#
# Needs: haproxy on PATH (apt-get install haproxy; .ci/docker-setup.sh installs it) and the jars:
#   mvn -o -q package -pl reactor/cli,loadtest -am -DskipTests
# Usage: loadtest/scripts/balanced.sh   env: WARMUP=8s DURATION=5s CONNECTIONS=64 NODES="1 2 3"
set -euo pipefail
cd "$(dirname "$0")/../.."
warmup=${WARMUP:-8s}
duration=${DURATION:-5s}
conns=${CONNECTIONS:-64}
nodes_list=${NODES:-1 2 3}
ferry=reactor/cli/target/ferry.jar
loadtest=loadtest/target/ferry-loadtest.jar
lb_port=7400
first_node_port=7411
node_heap=512m
for f in "$ferry" "$loadtest"; do [ -f "$f" ] || { echo "balanced: $f missing (see the header)" >&2; exit 1; }; done
command -v haproxy >/dev/null || { echo "balanced: haproxy not on PATH (apt-get install haproxy)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-balanced.XXXXXX")
pids=()       # everything started here, stopped between setups
node_pids=()  # the ferry nodes of the current setup
lb_pid=""     # HAProxy of the current setup, if any
hz=$(getconf CLK_TCK)
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  node_pids=()
  lb_pid=""
}
trap 'stop_all; rm -rf "$work"' EXIT
mkdir -p "$work/root" "$work/config"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/pw"
java -jar "$ferry" user add bench --rights all --password-stdin --iterations 4096 --config-dir "$work/config" \
  <"$work/pw" >/dev/null 2>&1

# Waits until something accepts on 127.0.0.1:$1 (bash's /dev/tcp), at most 60 s.
await_port() {
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "balanced: nothing listens on port $1" >&2; return 1
}

start_nodes() { # $1 = how many; $2 = with PROXY protocol (1) or not (0)
  for i in $(seq 1 "$1"); do
    local extra=()
    [ "$2" = 1 ] && extra=(--proxy-protocol --trusted-proxies 127.0.0.1)
    java -Xmx"$node_heap" -jar "$ferry" serve --root "$work/root" --config-dir "$work/config" \
      --listen "127.0.0.1:$((first_node_port + i - 1))" "${extra[@]}" >"$work/node$i.log" 2>&1 &
    pids+=($!)
    node_pids+=($!)
  done
  for i in $(seq 1 "$1"); do await_port $((first_node_port + i - 1)); done
}

start_haproxy() { # $1 = nodes
  {
    printf 'global\n    maxconn 4000\ndefaults\n    mode tcp\n    timeout connect 2s\n'
    printf '    timeout client 10m\n    timeout server 10m\n'
    printf 'frontend ferry_in\n    bind 127.0.0.1:%s\n    default_backend ferry\n' "$lb_port"
    printf 'backend ferry\n    balance leastconn\n'
    sed -n '/^```haproxy/,/^```/p' docs/DEPLOYING.md | grep -E '^\s+(option tcp-check|tcp-check )' | sed 's/^ */    /'
    for i in $(seq 1 "$1"); do
      printf '    server n%s 127.0.0.1:%s send-proxy-v2 check check-send-proxy inter 2s\n' "$i" $((first_node_port + i - 1))
    done
  } >"$work/haproxy.cfg"
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
  lb_pid=$!
  await_port "$lb_port"
}

field() { # $1 = csv, $2 = column (the loadtest's CSV has no quoted cells in these columns)
  awk -F, -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i } NR == 2 { print $c }' "$1" | tr -d '\r'
}

ticks() { # CPU time (user + system, clock ticks) of the processes given, 0 for none
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo "$t"
}

# One loadtest run; prints its row with the cores the nodes and HAProxy used meanwhile (CPU time
# over wall time of the whole run, warm-up included, so a little above the measured window's).
run() { # $1 = label, $2 = port, rest = loadtest arguments
  local label=$1 port=$2; shift 2
  local n0 b0 t0 n1 b1 t1
  n0=$(ticks "${node_pids[@]}"); b0=$(ticks $lb_pid); t0=$(date +%s.%N)
  java -jar "$loadtest" "$@" --target "127.0.0.1:$port" --user bench --password-file "$work/pw" \
    --warmup "$warmup" --duration "$duration" -q --out "$work/$label.csv" >/dev/null
  n1=$(ticks "${node_pids[@]}"); b1=$(ticks $lb_pid); t1=$(date +%s.%N)
  printf '| %s | %.0f | %.0f | %.0f | %s | %s | %s |\n' "$label" "$(field "$work/$label.csv" requestsPerSecond)" \
    "$(field "$work/$label.csv" payloadMegabytesPerSecond)" "$(field "$work/$label.csv" p99Micros)" \
    "$(field "$work/$label.csv" errors)" \
    "$(awk -v a="$n0" -v b="$n1" -v s="$t0" -v e="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / (e - s) }')" \
    "$( [ -n "$lb_pid" ] && awk -v a="$b0" -v b="$b1" -v s="$t0" -v e="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / (e - s) }' || echo -)"
}

scenarios() { # $1 = label prefix, $2 = port
  run "$1, pipeline PING -c $conns -d 16" "$2" pipeline -c "$conns" -d 16
  run "$1, get 1 MiB -c $conns" "$2" get -c "$conns" --file-size 1m
  run "$1, put 1 MiB -c 8" "$2" put -c 8 --file-size 1m
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "| setup | req/s | payload MB/s | p99 µs | errors | nodes' cores | HAProxy's cores |"
echo "|---|---|---|---|---|---|---|"
start_nodes 1 0
scenarios "1 node, direct" "$first_node_port"
stop_all
for n in $nodes_list; do
  start_nodes "$n" 1
  start_haproxy "$n"
  scenarios "$n node(s) via HAProxy" "$lb_port"
  stop_all
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
