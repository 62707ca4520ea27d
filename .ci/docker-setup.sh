#!/usr/bin/env bash
# Prepares a Docker engine for Ferry's multi-host tests, idempotently, without any registry:
#   1. installs docker.io, busybox-static and haproxy with apt-get if they are missing;
#   2. starts dockerd in the background (own log and pid file) unless an engine already answers;
#   3. builds the local image the tests run (pom.xml's ferry.hostImage, e.g. local/ferry-host:jdk17-r2)
#      by `docker import` of a minimal root filesystem made from this machine's JDK and busybox,
#      unless that image already exists.
# Each step is timed on stderr. Stop what this started with .ci/docker-stop.sh.
#
# The image holds no Ferry code: the tests copy reactor/cli/target/ferry.jar into each container, so a
# code change never needs a rebuild. Change the recipe below => bump the tag in pom.xml.
#
# Environment (all optional):
#   FERRY_HOST_IMAGE   image to build (default: read from pom.xml's <ferry.hostImage>)
#   FERRY_IMAGE_JDK    JDK copied into the image (default: the JDK of `java` on PATH)
#   FERRY_DOCKER_STATE where the pid file, log and lock live (default /var/tmp/ferry-docker)
#   FERRY_RUN_ID       a session id (e.g. .ci/run's PID): registers a user of the engine so that
#                      docker-stop.sh from another session does not stop it under this one
#   FERRY_RUN_PID      the process whose life that registration lasts (default: the caller)
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${FERRY_DOCKER_STATE:-/var/tmp/ferry-docker}
PIDFILE=$STATE/dockerd.pid
LOG=$STATE/dockerd.log
SOCK=/var/run/docker.sock
ENGINE_WAIT_SECONDS=30
IMAGE=${FERRY_HOST_IMAGE:-$(sed -n 's:.*<ferry.hostImage>\(.*\)</ferry.hostImage>.*:\1:p' pom.xml | head -1)}
[ -n "$IMAGE" ] || { echo "docker-setup: no <ferry.hostImage> in pom.xml" >&2; exit 1; }

say() { echo "docker-setup: $*" >&2; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

mkdir -p "$STATE/users"
# One setup at a time on this machine: two sessions must not start two daemons or import twice.
exec 9>"$STATE/lock"
flock 9

# ---- 1. install --------------------------------------------------------------------------------
t=$(now)
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
# HAProxy goes into the image as the load balancer of the shared-storage tests (BalancedNodesIT).
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { say "need root to apt-get install ${missing[*]}"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  # The package lists are usually present; update only when the install cannot find the packages.
  # Other users of the machine may be running apt-get: wait for dpkg's lock instead of failing.
  apt=(apt-get -q -o DPkg::Lock::Timeout=300)
  if ! "${apt[@]}" install -y "${missing[@]}" >"$STATE/apt.log" 2>&1; then
    "${apt[@]}" update >>"$STATE/apt.log" 2>&1
    "${apt[@]}" install -y "${missing[@]}" >>"$STATE/apt.log" 2>&1 \
      || { tail -20 "$STATE/apt.log" >&2; say "apt-get install ${missing[*]} failed (log $STATE/apt.log)"; exit 1; }
  fi
  say "installed ${missing[*]} in $(took "$t")"
else
  say "docker.io, busybox-static and haproxy already installed"
fi

# ---- 2. engine ---------------------------------------------------------------------------------
t=$(now)
if docker info >/dev/null 2>&1; then
  say "engine already answers $(docker version -f '{{.Server.Version}}' 2>/dev/null || true)"
else
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    say "dockerd $(cat "$PIDFILE") is running but does not answer yet"
  else
    # Its own log and pid file; stdin closed so it never holds a terminal, and fd 9 closed so
    # the daemon does not keep this script's lock for its whole life.
    nohup dockerd --host="unix://$SOCK" >"$LOG" 2>&1 </dev/null 9>&- &
    echo $! >"$PIDFILE"
    say "started dockerd pid $(cat "$PIDFILE"), log $LOG"
  fi
  deadline=$(( $(date +%s) + ENGINE_WAIT_SECONDS ))
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      tail -20 "$LOG" >&2; rm -f "$PIDFILE"; say "dockerd exited (log $LOG)"; exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -20 "$LOG" >&2; say "dockerd did not answer within ${ENGINE_WAIT_SECONDS} s (log $LOG)"; exit 1
    fi
    sleep 0.1
  done
  say "engine $(docker version -f '{{.Server.Version}}') answers after $(took "$t")"
fi
if [ -n "${FERRY_RUN_ID:-}" ]; then
  echo "${FERRY_RUN_PID:-$PPID}" >"$STATE/users/$FERRY_RUN_ID"
fi

# ---- 3. image ----------------------------------------------------------------------------------
t=$(now)
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "image $IMAGE already built"
  exit 0
fi

JDK=${FERRY_IMAGE_JDK:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
[ -x "$JDK/bin/java" ] || { say "no JDK at $JDK"; exit 1; }
ROOTFS=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-rootfs.XXXXXX")
trap 'rm -rf "$ROOTFS"' EXIT

mkdir -p "$ROOTFS"/{bin,etc,opt,root,data,proc,sys,dev,tmp,usr/bin,var/tmp,lib64}
chmod 1777 "$ROOTFS/tmp"
chmod 1777 "$ROOTFS/var/tmp"

# The JDK, without what only a developer's machine uses (jlink modules, sources, man pages).
cp -a "$JDK" "$ROOTFS/opt/java"
rm -rf "$ROOTFS/opt/java"/{jmods,man,docs,demo,include} "$ROOTFS/opt/java/lib/src.zip"
# Debian's JDK links into /etc/java-17-openjdk and ../../../x86_64-linux-gnu: inside the image
# those targets do not exist, so each link that is absolute or leaves the JDK becomes a real copy
# (or goes, when its target is missing on this machine too).
while IFS= read -r link; do
  rel=${link#"$ROOTFS/opt/java/"}
  text=$(readlink "$link")
  target=$(readlink -f "$JDK/$rel" || true)
  case "$text" in /*) outside=1 ;; *) case "$target" in "$JDK"/*) outside=0 ;; *) outside=1 ;; esac ;; esac
  [ "$outside" = 1 ] || continue
  rm "$link"
  if [ -e "$target" ]; then cp -a -L "$target" "$link"; fi
done < <(find "$ROOTFS/opt/java" -type l)

# The shared libraries the JVM loads, found with ldd (not a fixed list, so another glibc works).
# glibc >= 2.34 has the files and dns NSS modules built in, so name lookups need no libnss_*.
{
  ldd "$JDK/bin/java" "$JDK/lib/server/libjvm.so"
  for l in java net nio zip jimage verify jli extnet management management_ext attach prefs jsig; do
    [ -f "$JDK/lib/lib$l.so" ] && ldd "$JDK/lib/lib$l.so"
  done
} 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u |
while IFS= read -r lib; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
interp=$(find "$ROOTFS/lib" "$ROOTFS/lib64" "$ROOTFS/usr/lib" -name 'ld-linux-x86-64.so.2' -type f 2>/dev/null | head -1)
if [ -n "$interp" ] && [ ! -e "$ROOTFS/lib64/ld-linux-x86-64.so.2" ]; then
  ln -s "/${interp#"$ROOTFS/"}" "$ROOTFS/lib64/ld-linux-x86-64.so.2"
fi

# HAProxy (Debian's package, installed above): its binary and the libraries ldd finds for it, so
# a host can be the load balancer in front of the others. The package's service is never started.
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
mkdir -p "$ROOTFS/usr/sbin"
cp -L "$HAPROXY" "$ROOTFS/usr/sbin/haproxy"
ldd "$HAPROXY" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u |
while IFS= read -r lib; do
  [ -e "$ROOTFS$lib" ] && continue
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done

# busybox: a shell and the small tools the tests use (nc, sha256sum, head, od, kill, mkfifo...).
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$ROOTFS/bin/$applet" ] || ln -s busybox "$ROOTFS/bin/$applet"
done
ln -sf /bin/env "$ROOTFS/usr/bin/env"

cat >"$ROOTFS/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$ROOTFS/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$ROOTFS/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
hosts:  files dns
EOF
: >"$ROOTFS/etc/hosts"
: >"$ROOTFS/etc/resolv.conf"
say "root filesystem $(du -sm "$ROOTFS" | cut -f1) MB assembled in $(took "$t")"

t2=$(now)
tar -C "$ROOTFS" --numeric-owner --owner=0 --group=0 -c . |
  docker import \
    -c 'ENV PATH=/opt/java/bin:/bin:/usr/bin:/usr/sbin' \
    -c 'ENV JAVA_HOME=/opt/java' \
    -c 'WORKDIR /' \
    -c "LABEL ferry.image-recipe=.ci/docker-setup.sh ferry.jdk=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')" \
    - "$IMAGE" >/dev/null
say "imported $IMAGE in $(took "$t2") ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"
check=$(docker run --rm "$IMAGE" java -version 2>&1) || { say "$IMAGE cannot run java: $check"; docker rmi "$IMAGE" >/dev/null; exit 1; }
say "image check: ${check%%$'\n'*}"
check=$(docker run --rm "$IMAGE" haproxy -v 2>&1) || { say "$IMAGE cannot run haproxy: $check"; docker rmi "$IMAGE" >/dev/null; exit 1; }
say "image check: ${check%%$'\n'*}"
say "image built in $(took "$t")"
