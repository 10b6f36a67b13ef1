#!/bin/sh
# Installs the Debian 12 packages Cygnet needs to build, run and test.
# The lists are deploy/deps/*.txt (one package per line, '#' comments), a
# file per concern so each part names its own needs.
#   deploy/deps.sh              install every listed package (root)
#   deploy/deps.sh --if-missing install only when something is missing
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(sed -e 's/#.*//' "$here"/deps/*.txt | tr -s ' \t\n' '\n' | sed '/^$/d' | sort -u)

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ "${1:-}" = "--if-missing" ] && [ -z "$missing" ]; then
	exit 0
fi
[ -n "$missing" ] || { echo "deps: all packages present"; exit 0; }
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# With recommends: the tests were developed on machines that have them
# (podman, qemu and tshark bring helpers that way).
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
