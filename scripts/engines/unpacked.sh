# shellcheck shell=bash
# Debian packages an engine configuration needs, unpacked into a directory of its own and never
# installed: installing them here would upgrade packages the machine already has (uidmap pulls
# a newer login and passwd, openssh-server a newer openssh-client), which nothing could undo.
# Sourced by scripts/engines/*-up (bash); needs apt-get and dpkg-deb. The directory goes with
# the configuration's own directory when its -down removes it.
#
#   unpack_packages DIR PKG...   download PKG... (this machine's apt sources) and unpack them
#                                into DIR; then DIR/usr/bin and DIR/usr/sbin hold the programs,
#                                DIR/usr/lib/x86_64-linux-gnu (or the machine's) the libraries.
#                                A setuid program (uidmap's newuidmap) keeps its mode.

unpack_packages() {
  local dir=$1; shift
  local downloads
  downloads=$(mktemp -d)
  # -o APT::Sandbox::User=root: the temp dir is root's; nothing is installed either way.
  if ! (cd "$downloads" && apt-get -q -o APT::Sandbox::User=root download "$@" >&2); then
    printf 'unpack_packages: apt-get download %s failed (no Debian mirror? try apt-get update)\n' "$*" >&2
    rm -rf "$downloads"
    return 1
  fi
  mkdir -p "$dir"
  local deb
  for deb in "$downloads"/*.deb; do
    dpkg-deb -x "$deb" "$dir"
  done
  rm -rf "$downloads"
  chmod 755 "$dir"
}

unpacked_libs() {
  # The library directory of an unpacked tree, for LD_LIBRARY_PATH.
  printf '%s/usr/lib/%s' "$1" "$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
}
