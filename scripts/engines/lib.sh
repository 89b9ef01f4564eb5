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
# Newer engines come from Debian's docker.io and containerd packages, downloaded with `apt-get
# download` through a private apt configuration and unpacked with `dpkg-deb -x`, never
# installed. Their runc needs GLIBC 2.38, so the machine's runc (and docker-init) is used with
# them. Each such configuration promises its versions (`--docker 28.5.2 --containerd 2.1`), and
# gets them or fails: Debian's archive keeps only the newest build of a suite, so the package
# whose upstream version is the promised one is looked up in the suite's list and downloaded by
# its exact version (docker.io=28.5.2+dfsg4-5), the unpacked dockerd and containerd are asked
# their versions, and so is the engine once it answers. The unpacking is cached under a
# directory named by the promise (sid-docker28.5.2-containerd2.1), so that an unpacking of
# other versions is never taken for it. When the suite has moved on, the -up script fails,
# naming what the suite has now: update the promise in the script (and its first comment).
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

upstream_version() {
  # The upstream part of a Debian package's or a program's version: 1:28.5.2+dfsg4-5 -> 28.5.2,
  # 1.7.24~ds1 -> 1.7.24, v2.1.9 -> 2.1.9.
  local version=${1#*:}
  version=${version#v}
  printf '%s\n' "${version%%[+~-]*}"
}

keeps_promise() {
  # Whether version $1 is the promised $2: its upstream version is $2 (28.5.2), or in the line
  # $2 names (2.1: 2.1.9, not 2.10.0).
  local version
  version=$(upstream_version "$1")
  [ "$version" = "$2" ] || [ "${version#"$2".}" != "$version" ]
}

read_debian_lists() {
  # Debian trixie's and sid's package lists, in the private apt configuration: read once, and
  # again with --again (when what they name is no longer in the archive).
  local apt=$ENGINES_CACHE/apt
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || die "$keyring is missing: apt-get install debian-archive-keyring"
  printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$ENGINES_MIRROR" trixie \
    "$keyring" "$ENGINES_MIRROR" sid >"$apt/sources.list"
  [ "${1:-}" = --again ] && rm -f "$apt/lists/.updated"
  if [ ! -f "$apt/lists/.updated" ]; then
    say "reading Debian trixie's and sid's package lists (private apt configuration in $apt)"
    apt_private apt-get update >&2 \
      || die "apt-get update of Debian trixie/sid failed (is $ENGINES_MIRROR reachable? set ENGINES_MIRROR to a Debian mirror that is; the log is above)"
    touch "$apt/lists/.updated"
  fi
}

archive_versions() {
  # The versions of package $1 that Debian $2's list holds (the archive keeps one, the newest).
  apt_private apt-cache madison "$1" \
    | awk -F'|' -v suite="$2" '$3 ~ (" " suite "/") { gsub(/ /, "", $2); print $2 }'
}

promised_package() {
  # PACKAGE RELEASE PROMISE: the exact version of PACKAGE in Debian RELEASE that keeps PROMISE,
  # for `apt-get download PACKAGE=VERSION`; fails when there is none.
  local version
  for version in $(archive_versions "$1" "$2"); do
    keeps_promise "$version" "$3" && { printf '%s\n' "$version"; return 0; }
  done
  return 1
}

unpacked_versions() {
  # What the unpacked engine in $1 says it is: "DOCKERD-VERSION CONTAINERD-VERSION".
  local dockerd containerd
  dockerd=$("$1/bin/dockerd" --version 2>/dev/null | awk '{ sub(/,$/, "", $3); print $3 }')
  containerd=$("$1/bin/containerd" --version 2>/dev/null | awk '{ print $3 }')
  printf '%s %s\n' "${dockerd:-none}" "${containerd:-none}"
}

keeps_promises() {
  # Whether the unpacked engine in $1 is Docker $2 with containerd $3.
  local dockerd containerd
  [ -x "$1/bin/dockerd" ] || return 1
  read -r dockerd containerd < <(unpacked_versions "$1")
  keeps_promise "$dockerd" "$2" && keeps_promise "$containerd" "$3"
}

fetch_engine() {
  # RELEASE DOCKER CONTAINERD: unpack Debian RELEASE's docker.io of upstream version DOCKER and
  # its containerd of version (or line) CONTAINERD under the cache (once; concurrent callers
  # wait on a lock) and print the directory whose bin/ holds dockerd, containerd and their
  # shims, with the machine's runc and docker-init beside them.
  local release=$1 docker=$2 containerd=$3
  local root=$ENGINES_CACHE/$release-docker$docker-containerd$containerd
  local apt=$ENGINES_CACHE/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$ENGINES_CACHE/debs"
  exec 9>"$ENGINES_CACHE/.lock"
  flock 9
  if ! keeps_promises "$root" "$docker" "$containerd"; then
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
      die "Docker from Debian $release needs apt-get and dpkg-deb (a Debian or Ubuntu machine)"
    fi
    local debs=$ENGINES_CACHE/debs/${root##*/} docker_deb containerd_deb attempt
    for attempt in first again; do
      # Lists read by an earlier run may name builds the archive has replaced since: when what
      # they name is not the promise or cannot be downloaded, they are read once more.
      if [ "$attempt" = again ]; then read_debian_lists --again; else read_debian_lists; fi
      if ! docker_deb=$(promised_package docker.io "$release" "$docker") \
          || ! containerd_deb=$(promised_package containerd "$release" "$containerd"); then
        [ "$attempt" = first ] && continue
        local has
        has="docker.io $(archive_versions docker.io "$release" | paste -sd ' ')"
        has+=" and containerd $(archive_versions containerd "$release" | paste -sd ' ')"
        die "Debian $release has $has now, not the promised Docker $docker with containerd" \
          "$containerd: to promise what it has, change '--docker $docker --containerd" \
          "$containerd' in scripts/engines/$(basename "$0") (and the versions in its first" \
          "comment and in the docs)"
      fi
      say "downloading docker.io $docker_deb and containerd $containerd_deb from Debian $release"
      rm -rf "$debs" && mkdir -p "$debs"
      (cd "$debs" && apt_private apt-get download "docker.io=$docker_deb" \
        "containerd=$containerd_deb" >&2) && break
      [ "$attempt" = first ] \
        || die "apt-get download of docker.io=$docker_deb and containerd=$containerd_deb from Debian $release failed (see above)"
    done
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
    keeps_promises "$unpacked" "$docker" "$containerd" \
      || die "Debian $release's packages unpacked to dockerd and containerd $(unpacked_versions "$unpacked"), not the promised Docker $docker with containerd $containerd"
    rm -rf "$root"
    mv "$unpacked" "$root"
    say "unpacked $("$root/bin/dockerd" --version) into $root"
  fi
  flock -u 9
  printf '%s\n' "$root"
}

engine_keeps_promises() {
  # CONFIG HOST DOCKER CONTAINERD: whether the engine answering at HOST is Docker DOCKER with
  # containerd CONTAINERD; says what it is otherwise.
  local config=$1 host=$2 docker=$3 containerd=$4 server components
  server=$(DOCKER_CONTEXT='' docker -H "$host" version --format '{{.Server.Version}}' 2>/dev/null)
  components=$(DOCKER_CONTEXT='' docker -H "$host" version \
    --format '{{range .Server.Components}}{{.Name}} {{.Version}}{{"\n"}}{{end}}' 2>/dev/null)
  if keeps_promise "$server" "$docker" \
      && keeps_promise "$(awk '$1 == "containerd" { print $2 }' <<<"$components")" "$containerd"; then
    return 0
  fi
  say "$config answers at $host as Docker ${server:-(unknown)} with $(grep containerd <<<"$components" || echo 'containerd (unknown)'), not the promised Docker $docker with containerd $containerd"
  return 1
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

# engine_up CONFIG [--release trixie|sid --docker VERSION --containerd VERSION] [--cgroup 1|2]
#           [--hostname NAME] [--json '"key": value, ...'] [-- dockerd options...]
# Starts the configuration (or reuses it when it answers) and prints its DOCKER_HOST value.
# With --release, the engine is Debian's, of the promised versions (e.g. --docker 28.5.2
# --containerd 2.1), or the configuration fails. With --hostname, the engine gets a UTS
# namespace of its own with that host name (what `docker info` and a swarm's node list show),
# the machine's own name untouched.
engine_up() {
  local config=$1; shift
  local release="" docker="" containerd="" cgroup=1 json="" hostname=""
  while [ $# -gt 0 ]; do
    case $1 in
      --hostname) hostname=$2; shift 2;;
      --release) release=$2; shift 2;;
      --docker) docker=$2; shift 2;;
      --containerd) containerd=$2; shift 2;;
      --cgroup) cgroup=$2; shift 2;;
      --json) json=$2; shift 2;;
      --) shift; break;;
      *) die "engine_up: unknown option $1";;
    esac
  done
  if [ -n "$release" ] && { [ -z "$docker" ] || [ -z "$containerd" ]; }; then
    die "engine_up $config: --release needs --docker and --containerd, the versions it promises"
  fi
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
    if [ -n "$release" ] && ! engine_keeps_promises "$config" "$host" "$docker" "$containerd"; then
      die "the $config that answers was started for other versions: stop it (scripts/engines/$config-down) and start it again"
    fi
    say "$config already answers at $host; reusing it"
    printf '%s\n' "$host"
    return 0
  fi

  local path=/usr/sbin:/usr/bin:/sbin:/bin
  if [ -n "$release" ]; then
    path=$(fetch_engine "$release" "$docker" "$containerd")/bin:$path
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
      if [ -n "$ENGINE_HOSTNAME" ]; then printf %s "$ENGINE_HOSTNAME" >/proc/sys/kernel/hostname; fi
      if [ "$ENGINE_CGROUP" = 2 ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
        mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup
      fi
      exec "$@"'
    say "starting $config ($(PATH=$path dockerd --version)) in netns $name, cgroup v$cgroup (data-root $data_root, log $log)"
    # setsid: it outlives this script and is not hit by the caller's Ctrl-C.
    local uts=()
    [ -n "$hostname" ] && uts=(--uts)
    ENGINE_CGROUP=$cgroup ENGINE_HOSTNAME=$hostname PATH=$path setsid \
      nsenter --net="/run/netns/$name" \
      unshare --mount --propagation slave "${uts[@]}" sh -c "$inner" engine \
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
  if [ -n "$release" ] && ! engine_keeps_promises "$config" "$host" "$docker" "$containerd"; then
    engine_down "$config" >/dev/null 2>&1
    die "$config was stopped: it is not the engine it promises"
  fi
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
