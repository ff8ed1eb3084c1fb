#!/usr/bin/env bash
# Installs Mesa's lavapipe (a software Vulkan driver) from Debian's <codename>-backports suite, so the
# webgpu backend (Dawn on Vulkan) has an adapter on a machine without a GPU. Debian 12's own Mesa 22.3
# lavapipe is refused by Dawn (it lacks the dynamic-indexing features); backports' Mesa 25 works.
# Idempotent and quick when already done: skips when mesa-vulkan-drivers >= 24 and libvulkan1 are present.
# The mirror is never named here: the suite is added to the existing Debian source entry.
set -euo pipefail
have() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | awk '/install ok installed/ {print $4}'; }
mesa=$(have mesa-vulkan-drivers || true)
if [ -n "$mesa" ] && dpkg --compare-versions "$mesa" ge 24 && [ -n "$(have libvulkan1 || true)" ]; then
  echo "lavapipe: mesa-vulkan-drivers $mesa already installed"
  exit 0
fi
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
bp="$codename-backports"
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
if ! grep -rqsE "(^|[[:space:]])$bp([[:space:]]|$)" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  added=
  # deb822 files: add the suite to the stanza that lists the plain codename (the main archive).
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    if grep -qE "^Suites:(.*[[:space:]])?$codename([[:space:]]|$)" "$f"; then
      $SUDO sed -i -E "/^Suites:(.*[[:space:]])?$codename([[:space:]]|\$)/ s/\$/ $bp/" "$f"
      added=$f
      break
    fi
  done
  # One-line format: copy the first 'deb ... <codename> ...' line with the suite replaced.
  if [ -z "$added" ] && [ -f /etc/apt/sources.list ]; then
    line=$(grep -m1 -E "^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+$codename[[:space:]]" \
      /etc/apt/sources.list || true)
    if [ -n "$line" ]; then
      echo "$line" | sed -E "s/([[:space:]])$codename([[:space:]])/\1$bp\2/" | $SUDO tee -a /etc/apt/sources.list >/dev/null
      added=/etc/apt/sources.list
    fi
  fi
  [ -n "$added" ] || { echo "lavapipe: no Debian '$codename' source entry found to add $bp to" >&2; exit 1; }
  echo "lavapipe: added $bp to $added"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libvulkan1 >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t "$bp" mesa-vulkan-drivers >/dev/null
echo "lavapipe: installed mesa-vulkan-drivers $(have mesa-vulkan-drivers)"
