#!/usr/bin/env bash
# The yardstick of benchmarks/suite_vs_cli.py: plain docker CLI calls doing the engine operations
# the suite does for C01-C13 and C15 (a FROM-scratch build with a static busybox, then run, create,
# start, exec, diff, commit, cp, export, import, save, load, history, inspect, and helper
# containers reading the engine host's netns directory, a storage layer and /proc), each claim
# checked the shortest way a person would script it: every Then of the features for those claims
# has its check here, on what the suite measures it on (the round trip of an image of the run's
# own, an image whose command needs its ENV and WORKDIR, ...). It fails at the first claim that
# does not hold. One container, image or tar serves every claim that can share it; the suite shares
# only what its scenarios look at, and gives each scenario that acts its own.
#
# C14 is left out: it needs a second engine, and the benchmark runs the suite without one.
# Environment: CLAIMS (which to check, default "C01 ... C13 C15"), DOCKER_CLAIMS_BUSYBOX (a static
# busybox, else the one on PATH), BARE_RUN_ID (the run id in names and labels).
# Prints one line per claim with its seconds.
# Everything it makes is named dclaims-<id>-... and labelled docker-claims.run=<id>, removed at
# exit, and swept by `docker-claims sweep` if this script is killed.
set -euo pipefail

id=${BARE_RUN_ID:-bare$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')}
p=dclaims-$id
claims=${CLAIMS:-C01 C02 C03 C04 C05 C06 C07 C08 C09 C10 C11 C12 C13 C15}
busybox=${DOCKER_CLAIMS_BUSYBOX:-$(command -v busybox || echo /bin/busybox)}
work=$(mktemp -d "${TMPDIR:-/tmp}/$p.XXXXXX")
lbl=(--label "docker-claims.run=$id")
idle=(sh -c 'trap "exit 0" TERM; sleep 3600 & wait')
export DOCKER_BUILDKIT=0 DOCKER_CLI_HINTS=false

cleanup() {
  local ids ctrs imgs
  ids=$(docker ps -aq --filter "label=docker-claims.run=$id" --filter "name=^/$p-")
  mapfile -t ctrs <<<"$ids"
  [ -z "$ids" ] || docker rm -f -v "${ctrs[@]}" >/dev/null
  docker volume rm -f "$p-vol" >/dev/null 2>&1 || true
  for _ in 1 2 3; do
    ids=$(docker images -aq --filter "label=docker-claims.run=$id" | sort -u)
    mapfile -t imgs <<<"$ids"
    [ -z "$ids" ] || docker rmi -f "${imgs[@]}" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "bare-cli: $*" >&2; exit 1; }
want() { [[ " $claims " == *" $1 "* ]]; }
now() { date +%s.%N; }
mark() { printf '%s %.2f\n' "$1" "$(echo "$(now) - $2" | bc)"; }
run() { docker run --rm --network none "$@"; }
layers() { docker image inspect -f '{{json .RootFS.Layers}}' "$1"; }
state() { docker inspect -f '{{.State.Status}} {{.State.Pid}} {{.NetworkSettings.SandboxKey}}' "$1"; }
lines() { grep -c . || true; }
has() { grep -x -- "$1" >/dev/null; }  # reads to the end: no SIGPIPE for the writer (pipefail)

# The layered image: busybox, then a file overridden above, one only below, one deleted above.
t=$(now)
ctx=$work/ctx
mkdir -p "$ctx/lower" "$ctx/upper"
cp "$busybox" "$ctx/busybox"
echo "shadowed.txt as written by the lower layer" >"$ctx/lower/shadowed.txt"
echo "lower-only.txt, written by the lower layer only" >"$ctx/lower/lower-only.txt"
echo "deleted.txt, written by the lower layer, deleted above" >"$ctx/lower/deleted.txt"
echo "shadowed.txt as rewritten by the upper layer, which hides the lower one" \
  >"$ctx/upper/shadowed.txt"
touch -d @0 "$ctx"/lower/* && touch -d @86400 "$ctx/upper/shadowed.txt"
# The run's label first, as the suite's fixtures have it: every step image is then the run's
# (removed with it, on every image store), and no build cache of another run is taken.
cat >"$ctx/Dockerfile" <<EOF
FROM scratch
LABEL docker-claims.run=$id
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY lower/ /claims/
COPY upper/ /claims/
RUN ["/bin/busybox", "rm", "/claims/deleted.txt"]
ENV CLAIMS_FIXTURE=layered
CMD ["sh"]
EOF
img=$p-layered:1
docker build -q --network none -t "$img" "$ctx" >/dev/null 2>"$work/build.log" \
  || { cat "$work/build.log" >&2; fail "the build failed"; }
mark build "$t"

saved=$work/save.tar
if want C01 || want C02 || want C03 || want C09 || want C13; then
  docker save -o "$saved" "$img"
  mkdir "$work/save" && tar -xf "$saved" -C "$work/save"
fi
# The layer tars of a save, in order, as manifest.json lists them.
layer_tars() { sed -e 's/.*"Layers":\[//' -e 's/\].*//' -e 's/"//g' "$1/manifest.json" | tr , '\n'; }

if want C01; then t=$(now)
  [ "$(docker image inspect -f '{{len .RootFS.Layers}}' "$img")" = 5 ] || fail "C01: not 5 layers"
  # Each layer hashes to its digest and holds what its step wrote.
  digests=$(for l in $(layer_tars "$work/save"); do
    echo "sha256:$(sha256sum "$work/save/$l" | cut -d' ' -f1)"; done | paste -sd,)
  [ "[\"${digests//,/\",\"}\"]" = "$(layers "$img")" ] || fail "C01: layers do not hash to digests"
  n=0
  for l in $(layer_tars "$work/save"); do
    n=$((n + 1)); list=$(tar -tf "$work/save/$l")
    case $n in
      1) has bin/busybox <<<"$list" ;;
      2) [ -z "$(comm -23 <(run "$img" /bin/busybox --list | grep -vx busybox | sed 's#^#bin/#' | sort) \
          <(sort <<<"$list"))" ] ;;
      3) has claims/lower-only.txt <<<"$list" && has claims/deleted.txt <<<"$list" ;;
      4) [ "$(tar -xOf "$work/save/$l" claims/shadowed.txt)" = "$(cat "$ctx/upper/shadowed.txt")" ] ;;
      5) has claims/.wh.deleted.txt <<<"$list" ;;
    esac || fail "C01: layer $n does not hold what its step wrote"
  done
  rows=$(docker history --no-trunc --format '{{.CreatedBy}}' "$img" | tac)
  # One row per step, in build order, each naming its step (COPY rows name the content).
  expected='LABEL docker-claims.run=
COPY file:[0-9a-f]{64} in /bin/busybox
/bin/busybox --install -s /bin
COPY dir:[0-9a-f]{64} in /claims/
COPY dir:[0-9a-f]{64} in /claims/
/bin/busybox rm /claims/deleted.txt
ENV CLAIMS_FIXTURE=layered
CMD \["sh"\]'
  [ "$(lines <<<"$rows")" = "$(lines <<<"$expected")" ] || fail "C01: not one history row per step"
  paste -d '\n' <(echo "$expected") <(echo "$rows") | while read -r want && read -r row; do
    grep -qE -- "$want" <<<"$row" || fail "C01: the history row '$row' is not the step '$want'"
  done
  mark C01 "$t"; fi

if want C02; then t=$(now)
  [ "$(run "$img" cat /claims/shadowed.txt)" = "$(cat "$ctx/upper/shadowed.txt")" ] \
    || fail "C02: the upper version is not read"
  run "$img" cat /claims/lower-only.txt >/dev/null || fail "C02: lower-only not found"
  if run "$img" cat /claims/deleted.txt 2>/dev/null; then fail "C02: deleted file found"; fi
  found=0
  for layer in "$work"/save/*/layer.tar; do
    if tar -tf "$layer" | has 'claims/.wh.deleted.txt'; then found=1; fi
  done
  [ $found = 1 ] || fail "C02: no whiteout in the save tar's layers"
  mark C02 "$t"; fi

writes='echo added > /claims/added.txt && echo changed > /claims/shadowed.txt && rm /claims/lower-only.txt'
w=$p-writer
if want C03 || want C04 || want C09 || want C11; then
  before=$(layers "$img")
  docker run --name "$w" --network none "${lbl[@]}" "$img" sh -c "$writes"
fi

if want C03; then t=$(now)
  diff=$(docker diff "$w")
  for line in "A /claims/added.txt" "C /claims/shadowed.txt" "D /claims/lower-only.txt"; do
    grep -qx "$line" <<<"$diff" || fail "C03: diff lacks $line"; done
  [ "$(layers "$img")" = "$before" ] || fail "C03: the image's layers changed"
  docker save -o "$work/again.tar" "$img"
  mkdir "$work/again" && tar -xf "$work/again.tar" -C "$work/again"
  for l in $(layer_tars "$work/again"); do
    cmp -s "$work/again/$l" "$work/save/$l" || fail "C03: layer $l changed under the writes"; done
  docker create --name "$p-fresh" --network none "${lbl[@]}" "$img" >/dev/null
  docker export -o "$work/fresh.tar" "$p-fresh"
  for f in upper/shadowed.txt lower/lower-only.txt; do
    tar -xOf "$work/fresh.tar" "claims/${f#*/}" | cmp -s - "$ctx/$f" \
      || fail "C03: a new container does not read claims/${f#*/} as the image holds it"; done
  if tar -tf "$work/fresh.tar" | has claims/added.txt; then fail "C03: added seen"; fi
  docker run -d --name "$p-first" --network none "${lbl[@]}" "$img" "${idle[@]}" >/dev/null
  docker exec "$p-first" sh -c "$writes"
  docker diff "$p-first" | has "A /claims/added.txt" || fail "C03: the first did not write"
  run "$img" sh -c 'test ! -e /claims/added.txt' || fail "C03: a second container sees them"
  mark C03 "$t"; fi

if want C04; then t=$(now)
  docker diff "$w" | has "A /claims/added.txt" || fail "C04: diff"
  docker commit --change "LABEL docker-claims.run=$id" "$w" "$p-committed:1" >/dev/null
  n=$(docker image inspect -f '{{len .RootFS.Layers}}' "$p-committed:1")
  [ "$n" = 6 ] || fail "C04: commit gave $n layers, not 6"
  [ "$(docker image inspect -f '{{json (slice .RootFS.Layers 0 5)}}' "$p-committed:1")" = \
    "$(layers "$img")" ] || fail "C04: the committed image's lower layers differ"
  upper=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$w")
  lower=$(docker inspect -f '{{.GraphDriver.Data.LowerDir}}' "$w")
  init=${lower%%:*}
  [[ "$init" == *-init/diff ]] || fail "C04: no -init layer right below"
  listing=$(run -v "$upper:/layer:ro" "$img" sh -c 'cd /layer && find . -mindepth 1 | sort')
  grep -qx './claims/added.txt' <<<"$listing" || fail "C04: upper dir lacks the write"
  run -v "$init:/layer:ro" "$img" test -e /layer/.dockerenv || fail "C04: init lacks .dockerenv"
  mark C04 "$t"; fi

if want C05; then t=$(now)
  c=$p-life
  docker create --name "$c" --network none "${lbl[@]}" "$img" "${idle[@]}" >/dev/null
  [ "$(docker ps -a --filter "name=^/$c\$" --format '{{.State}}')" = created ] || fail "C05"
  docker start "$c" >/dev/null
  [ "$(docker ps -a --filter "name=^/$c\$" --format '{{.State}}')" = running ] || fail "C05"
  docker exec "$c" sh -c 'echo kept > /claims/kept.txt'
  docker stop -t 10 "$c" >/dev/null
  [ "$(docker ps -a --filter "name=^/$c\$" --format '{{.State}}')" = exited ] || fail "C05"
  [ "$(docker cp "$c:/claims/kept.txt" - | tar -xO)" = kept ] || fail "C05: cp after stop"
  docker export "$c" | tar -t | has 'claims/kept.txt' || fail "C05: export after stop"
  docker start "$c" >/dev/null
  [ "$(docker exec "$c" cat /claims/kept.txt)" = kept ] || fail "C05: lost at restart"
  docker stop -t 10 "$c" >/dev/null
  mark C05 "$t"; fi

created=$p-created
if want C06 || want C07 || want C08; then
  docker create --name "$created" "${lbl[@]}" "$img" "${idle[@]}" >/dev/null
fi

if want C06; then t=$(now)
  mkdir -p "$work/cp/claims" && echo copied >"$work/cp/claims/copied.txt"
  docker cp "$work/cp/claims/copied.txt" "$created:/claims/copied.txt"
  docker diff "$created" | has 'A /claims/copied.txt' || fail "C06: not in diff"
  docker export "$created" | tar -t | has 'claims/copied.txt' || fail "C06: not exported"
  upper=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$created")
  run -v "$upper:/layer:ro" "$img" test -f /layer/claims/copied.txt || fail "C06: upper"
  [ "$(state "$created")" = "created 0 " ] || fail "C06: the container ran"
  mark C06 "$t"; fi

netns_dir() {
  # The engine's netns directory: the directory of a started container's sandbox key.
  docker run -d --name "$p-probe" "${lbl[@]}" "$img" "${idle[@]}" >/dev/null
  dirname "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' "$p-probe")"
  docker rm -f "$p-probe" >/dev/null
}
if want C07 || want C08 || want C15; then nsdir=$(netns_dir); fi
netns() { run -v "$nsdir:/netns:ro" "$img" ls -1 /netns; }

if want C07; then t=$(now)
  [ "$(state "$created")" = "created 0 " ] || fail "C07: a created container has a process"
  before_ns=$(netns)
  docker start "$created" >/dev/null
  entry=$(basename "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' "$created")")
  if grep -qx "$entry" <<<"$before_ns"; then fail "C07: netns entry there before start"; fi
  mark C07 "$t"; fi

# shellcheck disable=SC2016 # a script for the helper's sh, which expands it
proc='p=$1; pp=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$p/status)
for n in net pid mnt uts ipc user cgroup; do
  echo "$n $(readlink /proc/$p/ns/$n) $(readlink /proc/$pp/ns/$n)"; done'
if want C08; then t=$(now)
  [ "$(docker inspect -f '{{.State.Status}}' "$created")" = running ] \
    || docker start "$created" >/dev/null
  key=$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' "$created")
  netns | has "$(basename "$key")" || fail "C08: no netns entry for the sandbox key"
  pid=$(docker inspect -f '{{.State.Pid}}' "$created")
  ns=$(run --pid host --cap-add SYS_PTRACE "$img" sh -c "$proc" proc "$pid")
  for kind in net pid mnt uts ipc; do
    awk -v k="$kind" '$1 == k && $2 != $3 {ok=1} END {exit !ok}' <<<"$ns" \
      || fail "C08: $kind namespace shared"; done
  awk '$1 == "user" && $2 == $3 {ok=1} END {exit !ok}' <<<"$ns" || fail "C08: own user ns"
  host=$p-host
  docker create --name "$host" --network host "${lbl[@]}" "$img" "${idle[@]}" >/dev/null
  listed=$(netns)
  docker start "$host" >/dev/null
  netns >/dev/null  # listed after the start too, as the suite does
  entry=$(basename "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' "$host")")
  [ "$entry" = default ] || grep -qx -- "$entry" <<<"$listed" \
    || fail "C08: a host-network container got a netns entry of its own"
  run --pid host --cap-add SYS_PTRACE "$img" sh -c "$proc" proc \
    "$(docker inspect -f '{{.State.Pid}}' "$host")" \
    | awk '$1 == "net" && $2 == $3 {ok=1} END {exit !ok}' \
    || fail "C08: a host-network container is not in its parent's net namespace"
  # The namespace is an nsfs mount on the engine host while the container runs, and is not
  # once it stopped (the entry file may linger for the engine's GC: not waited for).
  mp=${key/#\/var\/run\//\/run\/}
  # shellcheck disable=SC2016 # a script for the helper's sh, which expands it
  mounted() { run --pid host --cap-add SYS_PTRACE "$img" sh -c \
    'pp=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$$/status); awk -v m="$1" "\$5 == m" /proc/$pp/mountinfo' \
    mounted "$mp" | grep -q ' - nsfs '; }
  mounted || fail "C08: the netns is not mounted while the container runs"
  docker stop -t 10 "$created" >/dev/null
  if mounted; then fail "C08: the netns is still mounted after the stop"; fi
  mark C08 "$t"; fi

exported=$work/export.tar
if want C09 || want C10 || want C11 || want C12; then docker export -o "$exported" "$w"; fi
imp() { docker import --change "LABEL docker-claims.run=$id" "$@" | cut -d: -f2; }
cp_out() { docker cp "$1:$2" - | tar -xO; }
# What the writer added or changed, as the container reads it (docker cp) and as a tar holds it.
writes_in() {
  for f in $(docker diff "$w" | sed -n 's#^[AC] /claims/\(.*\.txt\)$#\1#p'); do
    [ "$(tar -xOf "$1" "claims/$f")" = "$(cp_out "$w" "/claims/$f")" ] || return 1; done
  if tar -tf "$1" | has claims/lower-only.txt; then return 1; fi
}

# An image of the run's own on top of the layered one (a file copied into a container that
# never ran, committed), saved, removed and loaded back: C09's round trip, C10's load from
# stdin and C13 look at it.
own=$p-own:saved
if want C09 || want C10 || want C13; then
  docker create --name "$p-own" --network none "${lbl[@]}" "$img" >/dev/null
  echo "$own" >"$work/own.txt"
  docker cp "$work/own.txt" "$p-own:/own.txt"
  docker commit "$p-own" "$own" >/dev/null
  own_id=$(docker image inspect -f '{{.Id}}' "$own")
  own_layers=$(layers "$own")
  own_history=$(docker history --no-trunc --format '{{.CreatedBy}}' "$own")
  docker save -o "$work/own.tar" "$own"
  docker rmi "$own" >/dev/null
  docker load -q -i "$work/own.tar" >/dev/null
fi

if want C09; then t=$(now)
  imported=$(imp "$exported")
  run "$imported" sh -c 'test -x /bin/busybox' || fail "C09: the import does not run"
  docker create --name "$p-imported" --network none "${lbl[@]}" "$imported" true >/dev/null
  docker export -o "$work/imported.tar" "$p-imported"
  writes_in "$work/imported.tar" || fail "C09: the imported image lacks the writes"
  [ "$(docker image inspect -f '{{.Id}}' "$own")" = "$own_id" ] || fail "C09: not loaded back"
  run "$own" true || fail "C09: the loaded image does not run"
  before=$(docker images -aq | sort)
  if docker load -i "$exported" >/dev/null 2>&1; then fail "C09: load took an export"; fi
  [ "$(docker images -aq | sort)" = "$before" ] || fail "C09: a refused load made an image"
  crossed=$(imp "$saved")
  mkdir "$work/crossed" && docker save "$crossed" | tar -x -C "$work/crossed"
  [ "$(tar -tf "$work/crossed/$(layer_tars "$work/crossed")" | sed 's#/$##' | sort)" = \
    "$(tar -tf "$saved" | sed 's#/$##' | sort)" ] || fail "C09: import of a save tar: other files"
  if run "$crossed" sh -c true 2>/dev/null; then fail "C09: import of a save tar runs"; fi
  if docker export "$img" >/dev/null 2>&1; then fail "C09: export took an image"; fi
  if docker save "$w" >/dev/null 2>&1; then fail "C09: save took a container"; fi
  mark C09 "$t"; fi

if want C10; then t=$(now)
  docker import --help | grep "Import the contents from a tarball to create a filesystem image" \
    >/dev/null || fail "C10: import --help"
  docker load --help | grep "Load an image from a tar archive or STDIN" >/dev/null \
    || fail "C10: load --help"
  docker rmi "$own" >/dev/null
  [ "$(docker load <"$work/own.tar")" = "Loaded image: $own" ] || fail "C10: load from stdin"
  [ "$(docker image inspect -f '{{.Id}}' "$own")" = "$own_id" ] || fail "C10: not loaded back"
  from_stdin=$(docker import --change "LABEL docker-claims.run=$id" - <"$exported")
  [ "$(docker image inspect -f '{{json .RootFS.Layers}}' "$from_stdin")" = \
    "[\"sha256:$(sha256sum <"$exported" | cut -d' ' -f1)\"]" ] || fail "C10: import - read another tar"
  mark C10 "$t"; fi

if want C11; then t=$(now)
  members=$(tar -tf "$exported")
  for path in claims/shadowed.txt claims/added.txt .dockerenv bin/busybox; do
    grep -qx "$path" <<<"$members" || fail "C11: $path not exported"; done
  for path in claims/deleted.txt claims/lower-only.txt; do
    if grep -qx "$path" <<<"$members"; then fail "C11: $path exported"; fi; done
  [ "$(tar -xOf "$exported" claims/shadowed.txt)" = changed ] || fail "C11: not the top version"
  writes_in "$exported" || fail "C11: the export does not hold the writes as the container reads them"
  docker run --name "$p-vol-user" --network none "${lbl[@]}" -v "$p-vol:/data" "$img" \
    sh -c 'echo in-volume > /data/f'
  [ "$(cp_out "$p-vol-user" /data/f)" = in-volume ] || fail "C11: the volume lost the file"
  if docker export "$p-vol-user" | tar -t | has 'data/f'; then fail "C11: volume"; fi
  one=$(imp "$exported")
  [ "$(docker image inspect -f '{{len .RootFS.Layers}}' "$one")" = 1 ] || fail "C11: layers"
  mark C11 "$t"; fi

if want C12; then t=$(now)
  # An image whose command needs its ENV and WORKDIR (the suite's "configured" fixture), and
  # the export of a container of it.
  # shellcheck disable=SC2016 # the image's command: its sh expands it, from the image's ENV
  cmd='["sh", "-c", "echo \"$CLAIMS_GREETING in $PWD\" && cat shadowed.txt"]'
  changes=(--change 'ENV CLAIMS_GREETING=configured' --change 'WORKDIR /claims'
           --change "CMD $cmd")
  docker create --name "$p-conf" --network none "${lbl[@]}" "$img" >/dev/null
  docker commit "${changes[@]}" "$p-conf" "$p-configured:1" >/dev/null
  docker create --name "$p-conf-export" --network none "${lbl[@]}" "$p-configured:1" >/dev/null
  docker export -o "$work/configured.tar" "$p-conf-export"
  plain=$(imp "$work/configured.tar")
  rows=$(docker history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' "$plain")
  [ "$rows" = "|Imported from -" ] || fail "C12: history is not one imported row: $rows"
  [ "$(docker image inspect -f '{{json .Config.Cmd}}|{{.Config.WorkingDir}}' "$plain")" = \
    "null|" ] || fail "C12: the import kept config"
  if docker create --name "$p-nocmd" "${lbl[@]}" "$plain" >/dev/null 2>&1; then
    fail "C12: a container of the plain import has a command"; fi
  kept=$(imp "${changes[@]}" "$work/configured.tar")
  config='{{json .Config.Cmd}}|{{.Config.WorkingDir}}'
  [ "$(docker image inspect -f "$config" "$kept")" = \
    "$(docker image inspect -f "$config" "$p-configured:1")" ] || fail "C12: changes not kept"
  [ "$(run "$kept")" = "$(run "$p-configured:1")" ] || fail "C12: the import runs otherwise"
  again=$(imp "$work/configured.tar")
  [ "$again" != "$plain" ] || fail "C12: the same tar imported twice gave one id"
  [ "$(layers "$again")" = "$(layers "$plain")" ] || fail "C12: the imports differ in layers"
  mark C12 "$t"; fi

if want C13; then t=$(now)
  # The round trip of the run's own image (above): saved with every layer, loaded back alike.
  { [ -f "$work/own.tar" ] && tar -tf "$work/own.tar" | has manifest.json; } \
    || fail "C13: no manifest"
  mkdir "$work/own" && tar -xf "$work/own.tar" -C "$work/own"
  [ "$(layer_tars "$work/own" | lines)" = 6 ] || fail "C13: not every layer saved"
  [ "$(docker image inspect -f '{{.Id}}' "$own")" = "$own_id" ] || fail "C13: id changed"
  [ "$(layers "$own")" = "$own_layers" ] || fail "C13: layers changed"
  [ "$(docker history --no-trunc --format '{{.CreatedBy}}' "$own")" = "$own_history" ] \
    || fail "C13: history changed"
  [ "$(docker history --no-trunc --format '{{.CreatedBy}}' "$own_id")" = "$own_history" ] \
    || fail "C13: history by id is not history by name"
  mark C13 "$t"; fi

if want C15; then t=$(now)
  # The article's transcript: create -ti busybox sh, ps -a, start, ps -a, ls the netns dir.
  made=$(docker create -ti --name "$p-cli" "${lbl[@]}" --network none "$img" sh)
  [[ "$made" =~ ^[0-9a-f]{64}$ ]] || fail "C15: create printed $made"
  docker ps -a --format table | grep "$p-cli" | grep -q Created || fail "C15: not Created"
  before_ns=$(netns)
  [ "$(docker start "$p-cli")" = "$p-cli" ] || fail "C15: start printed another name"
  docker ps -a --format table | grep "$p-cli" | grep -q ' Up ' || fail "C15: not Up"
  entry=$(basename "$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' "$p-cli")")
  netns | has "$entry" || fail "C15: the netns listing lacks the container's entry"
  if grep -qx "$entry" <<<"$before_ns"; then fail "C15: the entry was there before start"; fi
  mark C15 "$t"; fi

echo "bare-cli: $claims hold"
