#!/bin/sh
# The systemd units as `make install` writes them: systemd-analyze verify must
# print nothing (it only warns, exit 0, on unknown keys), and every unit must
# rate OK or better in systemd-analyze security.  Prints PASS/FAIL lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CYGNET_BIN:-$top/build/bin}
command -v systemd-analyze >/dev/null || { echo "FAIL units: systemd-analyze missing (package systemd)"; exit 1; }
for s in ike authority pool kernel; do
	[ -x "$bin/cygnet-$s" ] || { echo "FAIL units: $bin/cygnet-$s not built"; exit 1; }
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
make -s -C "$top" install DESTDIR="$dir" PREFIX=/usr BUILD="$(dirname "$bin")" >/dev/null
units=$dir/usr/lib/systemd/system
# verify resolves ExecStart on the host: point it at the staged binaries.
sed -i "s|ExecStart=/usr/sbin/|ExecStart=$dir/usr/sbin/|" "$units"/*.service

for u in "$units"/cygnet-*.service "$units"/cygnet.target; do
	name=$(basename "$u")
	msg=$(cd "$units" && systemd-analyze verify --man=no "$name" 2>&1)
	if [ -n "$msg" ]; then
		echo "FAIL verify $name: $msg"
	else
		echo "PASS verify $name"
	fi
done

for u in "$units"/cygnet-*.service; do
	name=$(basename "$u")
	line=$(systemd-analyze security --offline=true "$u" 2>&1 | grep 'Overall exposure level')
	score=$(echo "$line" | sed -E 's/.*: ([0-9.]+) .*/\1/')
	case "$line" in
	*" OK "*|*" OK"|*"SAFE"*) echo "PASS security $name: exposure $score" ;;
	*) echo "FAIL security $name: $line" ;;
	esac
done
