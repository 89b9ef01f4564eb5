# shellcheck shell=bash
# Shared by scripts/engines/<config>-up and -down: one named engine configuration, a dockerd
# of its own beside the machine's, for the claims x engines matrix (scripts/engine-matrix).
#
# Each configuration gets, like scripts/node2-up's second node:
#   - a network namespace of its own (`ip netns add docker-claims-<config>`), entered with
#     `nsenter --net` (`ip netns exec` remounts /sys: dockerd then fails, "Devices cgroup isn't
#     mounted"; and a dockerd without a bridge in the first engine's namespace deletes docker0);
#   - a mount namespace of its own (`unshare --mount --propagation slave`): what the engine
#     mounts (layers, network namespaces) stays in it and goes away with it, while what the host
#     unmounts leaves it too. In it, a tmpfs over /run/containerd hides the machine's containerd,
#     so that dockerd starts its own (of the engine's own version, with roots under the
#     engine's), and, for cgroup v2, the unified hierarchy is bound over /sys/fs/cgroup;
#   - its own data-root (/var/lib/docker-claims-<config>), exec-root, pidfile, socket
#     (/run/docker-claims-<config>/docker.sock), config file, engine ID, cgroup parent, and log
#     (/var/log/docker-claims-<config>.log, kept by -down for reading failures).
#
# Newer engines come from Debian's docker.io and containerd packages (trixie: 26.1.5 with
# containerd 1.7; sid: 28.5.2 with containerd 2.1), downloaded with `apt-get download` through
# a private apt configuration and unpacked with `dpkg-deb -x`, never installed. Their runc needs
# GLIBC 2.38, so the machine's runc (and docker-init) is used with them.
#
# Environment: ENGINES_CACHE (downloads and unpacked engines, default
#              /var/cache/docker-claims/engines; kept, so that every configuration of a run,
#              and later runs, share one download), ENGINES_TIMEOUT (seconds to wait for an
#              engine to answer, default 90), ENGINES_MIRROR (Debian mirror, default
#              http://deb.debian.org/debian).

set -euo pipefail

ENGINES_CACHE=${ENGINES_CACHE:-/var/cache/docker-claims/engines}
ENGINES_TIMEOUT=${ENGINES_TIMEOUT:-90}
ENGINES_MIRROR=${ENGINES_MIRROR:-http://deb.debian.org/debian}

say() { printf "%s: %s\n" "$(basename "$0")" "$*" >&2; }
die() { say "$*"; exit 1; }

engine_name() { printf 'docker-claims-%s\n' "$1"; }

require_root_linux() {
  [ "$(uname -s)" = Linux ] || die "the engine matrix starts dockerd processes: it needs Linux"
  [ "$(id -u)" = 0 ] || die "starting a dockerd needs root (try: sudo $0)"
  local tool
  for tool in ip nsenter unshare setsid timeout docker; do
    command -v "$tool" >/dev/null 2>&1 \
      || die "$tool is missing (Debian/Ubuntu: apt-get install iproute2 util-linux docker.io)"
  done
}

apt_private() {
  # apt-get/apt-cache with a configuration of their own: Debian's $1 suites only, lists and
  # downloads under the cache, the machine's own sources, lists and dpkg status untouched.
  local tool=$1; shift
  local apt=$ENGINES_CACHE/apt
  "$tool" -q \
    -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
    -o Dir::State::status=/dev/null -o APT::Sandbox::User=root \
    -o Acquire::Retries=3 "$@"
}

fetch_engine() {
  # Unpack Debian $1's docker.io and containerd under the cache (once; concurrent callers wait
  # on a lock) and print the directory whose bin/ holds dockerd, containerd and their shims,
  # with the machine's runc and docker-init beside them.
  local release=$1
  local root=$ENGINES_CACHE/$release
  local apt=$ENGINES_CACHE/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$ENGINES_CACHE/debs"
  exec 9>"$ENGINES_CACHE/.lock"
  flock 9
  if [ ! -x "$root/bin/dockerd" ]; then
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
      die "Docker from Debian $release needs apt-get and dpkg-deb (a Debian or Ubuntu machine)"
    fi
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || die "$keyring is missing: apt-get install debian-archive-keyring"
    printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$ENGINES_MIRROR" trixie \
      "$keyring" "$ENGINES_MIRROR" sid >"$apt/sources.list"
    if [ ! -f "$apt/lists/.updated" ]; then
      say "reading Debian trixie's and sid's package lists (private apt configuration in $apt)"
      apt_private apt-get update >&2 \
        || die "apt-get update of Debian trixie/sid failed (is $ENGINES_MIRROR reachable? set ENGINES_MIRROR to a Debian mirror that is; the log is above)"
      touch "$apt/lists/.updated"
    fi
    say "downloading docker.io and containerd from Debian $release"
    local debs=$ENGINES_CACHE/debs/$release
    rm -rf "$debs" && mkdir -p "$debs"
    (cd "$debs" && apt_private apt-get download "docker.io/$release" "containerd/$release" >&2) \
      || die "apt-get download of docker.io/$release and containerd/$release failed (see above); remove $apt/lists/.updated to read the package lists again"
    local unpacked deb binary
    unpacked=$(mktemp -d "$ENGINES_CACHE/.unpack-XXXXXX")
    for deb in "$debs"/*.deb; do
      dpkg-deb -x "$deb" "$unpacked"
    done
    mkdir -p "$unpacked/bin"
    for binary in dockerd docker-proxy containerd containerd-shim-runc-v2; do
      binary=$(cd "$unpacked" && find usr/bin usr/sbin -maxdepth 1 -name "$binary" -type f \
        -perm -u+x 2>/dev/null | head -n1)
      [ -n "$binary" ] || die "no $binary in Debian $release's docker.io and containerd packages"
      ln -sf "../$binary" "$unpacked/bin/"
    done
    # The packages' runc needs GLIBC 2.38; the machine's runc and docker-init serve instead.
    local machine
    for binary in runc docker-init; do
      machine=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$binary") \
        || die "$binary is missing on this machine (Debian/Ubuntu: apt-get install runc tini docker.io)"
      ln -sf "$machine" "$unpacked/bin/$binary"
    done
    for binary in dockerd containerd; do
      "$unpacked/bin/$binary" --version >/dev/null 2>&1 \
        || die "Debian $release's $binary does not run here: $("$unpacked/bin/$binary" --version 2>&1 | head -n1)"
    done
    rm -rf "$root"
    mv "$unpacked" "$root"
    say "unpacked $("$root/bin/dockerd" --version) into $root"
  fi
  flock -u 9
  printf '%s\n' "$root"
}

engine_answers() {
  local socket=$1
  [ -S "$socket" ] && DOCKER_CONTEXT='' DOCKER_HOST='' timeout 10 docker -H "unix://$socket" version \
    >/dev/null 2>&1
}

engine_pid() {
  # The pid in the pidfile, when that process is a live dockerd.
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = dockerd ] \
    && printf '%s\n' "$pid"
}

# engine_up CONFIG [--release trixie|sid] [--cgroup 1|2] [--json '"key": value, ...']
#           [-- dockerd options...]
# Starts the configuration (or reuses it when it answers) and prints its DOCKER_HOST value.
engine_up() {
  local config=$1; shift
  local release="" cgroup=1 json=""
  while [ $# -gt 0 ]; do
    case $1 in
      --release) release=$2; shift 2;;
      --cgroup) cgroup=$2; shift 2;;
      --json) json=$2; shift 2;;
      --) shift; break;;
      *) die "engine_up: unknown option $1";;
    esac
  done
  require_root_linux
  local name run_dir data_root log socket pidfile host pid
  name=$(engine_name "$config")
  run_dir=/run/$name
  data_root=/var/lib/$name
  log=/var/log/$name.log
  socket=$run_dir/docker.sock
  pidfile=$run_dir/docker.pid
  host=unix://$socket

  if engine_answers "$socket"; then
    say "$config already answers at $host; reusing it"
    printf '%s\n' "$host"
    return 0
  fi

  local path=/usr/sbin:/usr/bin:/sbin:/bin
  if [ -n "$release" ]; then
    path=$(fetch_engine "$release")/bin:$path
  else
    command -v dockerd >/dev/null 2>&1 \
      || die "dockerd is missing (Debian/Ubuntu: apt-get install docker.io; or scripts/engine-up)"
  fi

  if [ "$cgroup" = 2 ]; then
    [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || [ -f /sys/fs/cgroup/unified/cgroup.procs ] \
      || die "cgroup v2 was asked for, but this machine mounts no unified hierarchy (neither /sys/fs/cgroup nor /sys/fs/cgroup/unified is cgroup2)"
  elif [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    die "cgroup v1 was asked for, but this machine has cgroup v2 only"
  fi

  if ! engine_pid "$pidfile" >/dev/null; then
    mkdir -p "$run_dir" "$data_root" "$(dirname "$log")"
    [ -e "/run/netns/$name" ] || ip netns add "$name"
    ip -n "$name" link set lo up
    # Its own config file: the machine's /etc/docker/daemon.json must not apply. Its own key
    # gives it its own engine ID.
    printf '{\n  "deprecated-key-path": "%s/key.json"%s\n}\n' "$data_root" \
      "${json:+,
  $json}" >"$run_dir/daemon.json"
    rm -f "$pidfile"
    # shellcheck disable=SC2016 # expanded by the inner shell
    local inner='set -e
      if [ -d /run/containerd ]; then mount -t tmpfs -o mode=0711 tmpfs /run/containerd; fi
      if [ "$ENGINE_CGROUP" = 2 ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
        mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup
      fi
      exec "$@"'
    say "starting $config ($(PATH=$path dockerd --version)) in netns $name, cgroup v$cgroup (data-root $data_root, log $log)"
    # setsid: it outlives this script and is not hit by the caller's Ctrl-C.
    ENGINE_CGROUP=$cgroup PATH=$path setsid nsenter --net="/run/netns/$name" \
      unshare --mount --propagation slave sh -c "$inner" engine \
      dockerd \
        --config-file "$run_dir/daemon.json" \
        --host "$host" \
        --data-root "$data_root" \
        --exec-root "$run_dir/exec" \
        --pidfile "$pidfile" \
        --bridge none \
        --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
        --cgroup-parent "/$name" \
        --label "docker-claims.engine=$config" \
        "$@" \
        >>"$log" 2>&1 </dev/null &
  fi

  local started=$SECONDS deadline=$((SECONDS + ENGINES_TIMEOUT))
  until engine_answers "$socket"; do
    if [ $SECONDS -ge $deadline ]; then
      say "$config did not answer at $host within ${ENGINES_TIMEOUT}s; last lines of $log:"
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    if [ $((SECONDS - started)) -gt 10 ] && ! engine_pid "$pidfile" >/dev/null; then
      say "$config's dockerd exited; last lines of $log:"
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  say "$config up: $(DOCKER_CONTEXT='' docker -H "$host" info --format 'Engine {{.ServerVersion}}, {{.Driver}}, cgroup v{{.CgroupVersion}}, {{json .SecurityOptions}}' 2>/dev/null)"
  printf '%s\n' "$host"
}

# engine_down CONFIG: stop it and remove what it made (network namespace, run dir, data-root,
# cgroups); its log is kept. Stopping one that is not running is not an error.
engine_down() {
  local config=$1
  [ "$(id -u)" = 0 ] || die "stopping a dockerd needs root (try: sudo $0)"
  local name run_dir data_root pidfile pid
  name=$(engine_name "$config")
  run_dir=/run/$name
  data_root=/var/lib/$name
  pidfile=$run_dir/docker.pid
  if pid=$(engine_pid "$pidfile"); then
    say "stopping $config's dockerd (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 30))
    while [ -e "/proc/$pid" ]; do
      if [ $SECONDS -ge $deadline ]; then
        say "dockerd $pid did not exit within 30s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.5
    done
  else
    say "no $config dockerd running"
  fi
  # What still runs in its network namespace (its containerd and shims, after a kill) holds
  # its mounts: those processes, and only they. The namespace is pinned by /run/netns/<name>,
  # so its inode cannot have been given to another namespace meanwhile (a mount namespace's,
  # freed and reused, could name another engine's processes).
  local netns="" proc
  [ -e "/run/netns/$name" ] && netns="net:[$(stat -L -c %i "/run/netns/$name")]"
  if [ -n "$netns" ]; then
    for proc in /proc/[0-9]*; do
      [ "$(readlink "$proc/ns/net" 2>/dev/null)" = "$netns" ] || continue
      say "stopping ${proc#/proc/} ($(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | cut -c1-80)), left in $config's network namespace"
      kill -KILL "${proc#/proc/}" 2>/dev/null || true
    done
  fi
  [ -d "$run_dir" ] && rm -rf "$run_dir" && say "removed $run_dir"
  if [ -e "/run/netns/$name" ]; then
    ip netns delete "$name" && say "removed network namespace $name"
  fi
  if [ -d "$data_root" ]; then
    rm -rf "$data_root" && say "removed its data-root $data_root"
  fi
  local cgroup
  for cgroup in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
    [ -d "$cgroup" ] || continue
    find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -d "$cgroup" ] && say "could not remove cgroup $cgroup (still in use?)"
  done
  return 0
}
