# shellcheck shell=bash
# Users an engine configuration makes for itself (the rootless engine's, the ssh login's, sshd's
# privilege separation user), removed again without a trace. Sourced by scripts/engines/*-up
# and *-down (bash); needs root.
#
#   make_user NAME HOME [useradd options...]   add NAME (with its group) unless it exists
#   remove_user NAME [userdel options...]      userdel NAME (its group and /etc/subuid,
#                                              /etc/subgid ranges); with its home unless
#                                              options are given (then they replace --remove)
#
# useradd and userdel also rewrite the backup files /etc/passwd-, group-, shadow-, gshadow-,
# subuid-, subgid-, which would then still name the user: they are saved before the first user
# is made and put back once the last one (any name dclaims-*) is gone.

USERS_STATE=${USERS_STATE:-/var/lib/docker-claims-engines/etc-backup}
BACKUPS="passwd- group- shadow- gshadow- subuid- subgid-"

make_user() {
  local name=$1 home=$2; shift 2
  id "$name" >/dev/null 2>&1 && return 0
  if [ ! -d "$USERS_STATE" ]; then
    mkdir -p "$USERS_STATE"
    local file
    for file in $BACKUPS; do
      if [ -e "/etc/$file" ]; then cp -p "/etc/$file" "$USERS_STATE/$file"; else : >"$USERS_STATE/$file.absent"; fi
    done
  fi
  useradd --home-dir "$home" --user-group --comment "docker-claims engine configuration" "$@" "$name"
}

remove_user() {
  local name=$1; shift
  [ $# -gt 0 ] || set -- --remove
  # userdel may complain (no mail spool) yet remove the user: only a user still there is forced.
  if id "$name" >/dev/null 2>&1 && ! userdel "$@" "$name" 2>/dev/null \
      && id "$name" >/dev/null 2>&1; then
    userdel --force "$@" "$name"
  fi
  [ -d "$USERS_STATE" ] || return 0
  grep -q '^dclaims-' /etc/passwd && return 0
  local file
  for file in $BACKUPS; do
    if [ -e "$USERS_STATE/$file.absent" ]; then rm -f "/etc/$file"
    elif [ -e "$USERS_STATE/$file" ]; then cp -p "$USERS_STATE/$file" "/etc/$file"; fi
  done
  rm -rf "$USERS_STATE"
  rmdir "$(dirname "$USERS_STATE")" 2>/dev/null || true
}
