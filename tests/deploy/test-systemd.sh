#!/bin/bash
# The systemd units for real: systemd as PID 1 in a podman container with
# Cygnet installed by `make install` and its users from sysusers.d.
# cygnet.target starts every unit to `active`, the watchdog is fed, reload
# works, a SIGKILLed service is restarted (and cygnetctl --status is all up again),
# and each service runs as its own user with exactly the capabilities its
# unit declares.  Prints PASS/FAIL lines.
set -u
. "$(dirname "$0")/podman-env.sh"
name=systemd
ctr=cygnet-systemd-test
work=$(mktemp -d)

cleanup() {
	podman rm -f -t 0 "$ctr" >/dev/null 2>&1
	rm -rf "$work"
	pe_teardown
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pe_setup "$name" || exit 1
pe_base "$name" || exit 1
pe_images "$name" || exit 1
image=localhost/cygnet-systemd-test:$tag
if ! podman image exists "$image"; then
	podman build -q --pull=never --network host --format docker --layers \
		--build-arg BASE="$base_image" --build-arg BUILD_IMAGE="localhost/cygnet-build:$tag" \
		-t "$image" -f "$top/tests/deploy/systemd.Containerfile" "$top/tests/deploy" \
		>"$cache/build-systemd.log" 2>&1 ||
		{ pe_fail "$name" "building $image: $(tail -3 "$cache/build-systemd.log" | tr '\n' ' ')"; exit 1; }
fi

# ex CMD...: runs CMD in the container.
ex() {
	podman exec "$ctr" "$@"
}

# prop UNIT PROPERTY: one systemd property's value.
prop() {
	ex systemctl show -P "$2" "$1"
}

# Configuration and PKI as an administrator would place them: the keys
# readable by the authority's user only.
pe_pki "$name" "$work" || exit 1
podman rm -f -t 0 "$ctr" >/dev/null 2>&1
podman run -d --name "$ctr" --systemd=always --network none \
	--cap-add SYS_ADMIN,NET_ADMIN "$image" >/dev/null ||
	{ pe_fail "$name" "podman run failed"; exit 1; }
for _ in $(seq 50); do
	state=$(ex systemctl is-system-running 2>/dev/null)
	case "$state" in running|degraded) break ;; esac
	sleep 0.1
done
# The container config without its cygnet { } section: every path and
# endpoint at its default, as the units expect.
sed '/^cygnet {/,$d' "$top/deploy/container/cygnet.conf" >"$work/cygnet.conf"
podman cp "$work/cygnet.conf" "$ctr:/etc/cygnet/cygnet.conf" &&
	podman cp "$work/swanctl" "$ctr:/etc/cygnet/swanctl" &&
	ex sh -c 'chown -R root:root /etc/cygnet/swanctl &&
		chown -R cygnet-authority:root /etc/cygnet/swanctl/private &&
		chmod 700 /etc/cygnet/swanctl/private && chmod 600 /etc/cygnet/swanctl/private/*' ||
	{ pe_fail "$name" "copying config and PKI into the container failed"; exit 1; }
# The units feed the watchdog every WatchdogSec/2: a short one here so the
# test sees several feeds.
for s in $SERVICES; do
	ex sh -c "mkdir -p /etc/systemd/system/cygnet-$s.service.d &&
		printf '[Service]\nWatchdogSec=2s\n' >/etc/systemd/system/cygnet-$s.service.d/watchdog.conf"
done
ex systemctl daemon-reload

start=$(date +%s%N)
ex systemctl start cygnet.target
ms=$((($(date +%s%N) - start) / 1000000))
for s in $SERVICES; do
	unit=cygnet-$s.service
	st=$(prop "$unit" ActiveState)
	if [ "$st" = active ]; then
		echo "PASS systemd $unit active"
	else
		echo "FAIL systemd $unit: $st; $(ex journalctl -u "$unit" -n 5 --no-pager -o cat | tr '\n' ' ')"
	fi
done
echo "# cygnet.target started in $ms ms"

# all_up: cygnetctl --status answers for all four, each "running" (the
# loop runs inside: a podman exec costs ~0.2 s).
all_up() {
	ex sh -c 'i=0
		while [ $i -lt 50 ]; do
			out=$(cygnetctl --timeout 1000 --status 2>&1) &&
				[ "$(echo "$out" | grep -c " running ")" -eq 4 ] && exit 0
			i=$((i + 1)); sleep 0.1
		done
		echo "$out" | tr "\n" " "; exit 1'
}
if why=$(all_up); then
	echo "PASS systemd cygnetctl --status: all four running"
else
	echo "FAIL systemd cygnetctl --status: $why"
fi

# Watchdog: every unit's last feed moves on within two feed intervals.
declare -A fed
for s in $SERVICES; do
	fed[$s]=$(prop "cygnet-$s.service" WatchdogTimestampMonotonic)
done
sleep 2.2
for s in $SERVICES; do
	unit=cygnet-$s.service
	now=$(prop "$unit" WatchdogTimestampMonotonic)
	if [ "${fed[$s]:-0}" != 0 ] && [ "$now" != "${fed[$s]}" ] &&
		[ "$(prop "$unit" NRestarts)" = 0 ]; then
		echo "PASS systemd $unit watchdog fed"
	else
		echo "FAIL systemd $unit watchdog: last feed ${fed[$s]} -> $now, restarts $(prop "$unit" NRestarts)"
	fi
done

# Capabilities and user of each running service, from /proc.
declare -A want_caps=([ike]=0000000000000400 [kernel]=0000000000001000
	[authority]=0000000000000000 [pool]=0000000000000000)
for s in $SERVICES; do
	unit=cygnet-$s.service
	pid=$(prop "$unit" MainPID)
	got=$(ex awk '/^(Uid|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):/ {printf "%s%s ", $1, $2}' "/proc/$pid/status")
	uid=$(ex id -u "cygnet-$s")
	w=${want_caps[$s]}
	want="Uid:$uid CapPrm:$w CapEff:$w CapBnd:$w CapAmb:$w NoNewPrivs:1 Seccomp:2 "
	if [ "$got" = "$want" ]; then
		echo "PASS systemd $unit runs as cygnet-$s with caps $w"
	else
		echo "FAIL systemd $unit credentials: got '$got' want '$want'"
	fi
done

# systemctl reload: SIGHUP (ExecReload), the service re-reads its config
# and says READY=1 again, without a restart.
for s in $SERVICES; do
	unit=cygnet-$s.service
	if out=$(ex systemctl reload "$unit" 2>&1) && [ "$(prop "$unit" ActiveState)" = active ] &&
		[ "$(prop "$unit" NRestarts)" = 0 ]; then
		echo "PASS systemd $unit reload"
	else
		echo "FAIL systemd $unit reload: $out $(prop "$unit" ActiveState)"
	fi
done

# SIGKILL each service in turn: systemd restarts it and everything is up.
for s in $SERVICES; do
	unit=cygnet-$s.service
	if why=$(ex sh -c 'unit=$1
		old=$(systemctl show -P MainPID "$unit")
		kill -KILL "$old"
		i=0
		while [ $i -lt 100 ]; do
			pid=$(systemctl show -P MainPID "$unit")
			[ "$pid" != 0 ] && [ "$pid" != "$old" ] &&
				[ "$(systemctl show -P ActiveState "$unit")" = active ] && exit 0
			i=$((i + 1)); sleep 0.1
		done
		echo "not restarted: $(systemctl show -P ActiveState "$unit") pid $pid"; exit 1' sh "$unit") &&
		why=$(all_up); then
		echo "PASS systemd $unit restarted after SIGKILL, all services up"
	else
		echo "FAIL systemd $unit after SIGKILL: $why"
	fi
done
