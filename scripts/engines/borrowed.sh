# shellcheck shell=bash
# An engine configuration that is already up when someone else's -up asks for it is lent, not
# taken over: that caller's -down leaves it up for whoever started it (another engine-matrix, a
# test). Sourced by scripts/engines/rootless*-up/-down and ssh-up/-down (bash). The caller is
# the process that runs -up or -down ($PPID): engine-matrix runs both from one shell.
#
#   lend DIR        record the caller as a borrower of the configuration whose directory is DIR
#   give_back DIR   true when the caller borrowed it (and forget that): its -down then stops
#                   nothing

lend() {
  printf '%s\n' "$PPID" >>"$1/borrowers"
}

give_back() {
  local list=$1/borrowers
  [ -f "$list" ] && grep -qx "$PPID" "$list" || return 1
  grep -vx "$PPID" "$list" >"$list.new" || true
  mv "$list.new" "$list"
}
