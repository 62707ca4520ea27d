#!/usr/bin/env bash
# Undoes .ci/docker-setup.sh, touching only what it started:
#   - removes the containers, networks and volumes the multi-host tests of this session left
#     behind (label ferry.run=$FERRY_RUN_ID; the tests remove their own unless the JVM died);
#   - stops dockerd by the PID in its pid file, only if setup started it (an engine that was
#     already running is left alone) and no other live session registered by setup still uses it.
# The image stays: it lives in /var/lib/docker and the next setup reuses it.
set -uo pipefail

STATE=${FERRY_DOCKER_STATE:-/var/tmp/ferry-docker}
PIDFILE=$STATE/dockerd.pid
STOP_WAIT_SECONDS=30

say() { echo "docker-stop: $*" >&2; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

[ -d "$STATE" ] || exit 0
exec 9>"$STATE/lock"
flock 9
t=$(now)

if [ -n "${FERRY_RUN_ID:-}" ] && docker info >/dev/null 2>&1; then
  left=$(docker ps -aq --filter "label=ferry.run=$FERRY_RUN_ID")
  if [ -n "$left" ]; then
    # shellcheck disable=SC2086
    docker rm -f -v $left >/dev/null && say "removed $(echo "$left" | wc -w) leftover container(s)"
  fi
  for n in $(docker network ls -q --filter "label=ferry.run=$FERRY_RUN_ID"); do docker network rm "$n" >/dev/null; done
  for v in $(docker volume ls -q --filter "label=ferry.run=$FERRY_RUN_ID"); do docker volume rm -f "$v" >/dev/null; done
fi
[ -n "${FERRY_RUN_ID:-}" ] && rm -f "$STATE/users/$FERRY_RUN_ID"

# Other sessions still using the engine (their registering process is alive)?
users=0
for u in "$STATE"/users/*; do
  [ -f "$u" ] || continue
  if kill -0 "$(cat "$u")" 2>/dev/null; then users=$((users + 1)); else rm -f "$u"; fi
done

if [ ! -f "$PIDFILE" ]; then
  say "dockerd was not started by docker-setup.sh: left running"
  exit 0
fi
pid=$(cat "$PIDFILE")
if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
  say "pid $pid is no longer dockerd: nothing to stop"
  rm -f "$PIDFILE"
  exit 0
fi
if [ "$users" -gt 0 ]; then
  say "dockerd $pid left running: $users other session(s) still use it"
  exit 0
fi
kill -TERM "$pid"
deadline=$(( $(date +%s) + STOP_WAIT_SECONDS ))
while kill -0 "$pid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    say "dockerd $pid did not exit within ${STOP_WAIT_SECONDS} s of TERM; sending KILL"
    kill -KILL "$pid" 2>/dev/null
    break
  fi
  sleep 0.1
done
rm -f "$PIDFILE"
say "stopped dockerd $pid in $(took "$t")"
