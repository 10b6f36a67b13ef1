#!/bin/bash
# The container deployment for real: the images of deploy/container built
# with podman (cached), the four services brought up by podman-compose with
# deploy/container/compose.yaml, each /status and its health check, each
# container's user and capabilities, cygnetctl --status from a container,
# and every service's container SIGKILLed in turn comes back healthy.
# The services run in a network namespace of the test's own (unshare), which
# stands in for the host's: ike and kernel share it, as compose.yaml asks.
# Prints PASS/FAIL lines.
set -u
. "$(dirname "$0")/podman-env.sh"
name=compose
project=cygnet-test
compose=$top/deploy/container/compose.yaml
pc=$top/deploy/container/podman-compose

if [ -z "${CYGNET_TEST_NETNS:-}" ]; then
	pe_setup "$name" || exit 1
	command -v podman-compose >/dev/null ||
		{ pe_fail "$name" "podman-compose missing (deploy/deps/deploy.txt: make deps)"; exit 1; }
	pe_base "$name" || exit 1
	pe_images "$name" || exit 1
	# the rest needs no network: a namespace of its own
	CYGNET_TEST_NETNS=1 CYGNET_IMAGE_TAG=$tag exec unshare --net "$0" "$@"
fi
ip link set lo up
pe_setup "$name" || exit 1
tag=$CYGNET_IMAGE_TAG
work=$(mktemp -d)

cleanup() {
	"$pc" -p "$project" -f "$compose" down -v >/dev/null 2>&1
	podman ps -aq --filter "label=io.podman.compose.project=$project" | xargs -r podman rm -f -t 0 >/dev/null 2>&1
	podman volume ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman volume rm -f >/dev/null 2>&1
	podman network ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman network rm -f >/dev/null 2>&1
	rm -rf "$work"
	pe_teardown
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pe_pki "$name" "$work" || exit 1
chown -R 902:900 "$work/swanctl/private"
chmod 755 "$work" "$work/swanctl"

export CYGNET_TAG=$tag CYGNET_SWANCTL=$work/swanctl
cleanup_first() {
	podman ps -aq --filter "label=io.podman.compose.project=$project" | xargs -r podman rm -f -t 0 >/dev/null 2>&1
}
cleanup_first
start=$(date +%s%N)
if ! "$pc" -p "$project" -f "$compose" up -d >"$work/up.log" 2>&1; then
	pe_fail "$name" "podman-compose up: $(tail -5 "$work/up.log" | tr '\n' ' ')"
	exit 1
fi

ctr() {
	podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$project" \
		--filter "label=com.docker.compose.service=$1" | head -1
}
port() {
	case "$1" in ike) echo 9101 ;; authority) echo 9102 ;; pool) echo 9103 ;; kernel) echo 9104 ;; esac
}

# podman-compose up exits 0 even when a container failed: look at each.
for s in $SERVICES; do
	c=$(ctr "$s")
	if pe_wait_healthy "$c" 20; then
		echo "PASS compose $s healthy"
	else
		echo "FAIL compose $s not healthy: $(podman inspect -f '{{.State.Status}} exit {{.State.ExitCode}}' "$c" 2>&1) $(podman logs --tail 5 "$c" 2>&1 | tr '\n' ' ')"
	fi
done
echo "# compose up to all healthy in $((($(date +%s%N) - start) / 1000000)) ms"

for s in $SERVICES; do
	body=$(curl -sf --max-time 3 "http://127.0.0.1:$(port "$s")/status")
	case "$body" in
	*'"service":"'"$s"'"'*'"state":"running"'*|*'"service": "'"$s"'"'*'"state": "running"'*)
		echo "PASS compose $s /status on 127.0.0.1:$(port "$s")" ;;
	*) echo "FAIL compose $s /status on 127.0.0.1:$(port "$s"): '$body'" ;;
	esac
done

# The private key reached the authority, readable by its user only.
for _ in $(seq 25); do
	keys=$(curl -sf --max-time 3 http://127.0.0.1:9102/metrics | sed -n 's/^cygnet_authority_private_keys //p')
	[ "$keys" = 1 ] && break
	sleep 0.2
done
if [ "$keys" = 1 ]; then
	echo "PASS compose authority loaded the private key"
else
	echo "FAIL compose authority private keys: '$keys'; $(podman logs --tail 8 "$(ctr authority)" 2>&1 | tr '\n' ' ')"
fi

# Each container: its own user, group cygnet, only its capability (also
# as the bound), no new privileges where no file capability is needed.
declare -A want_caps=([ike]=0000000000000400 [kernel]=0000000000001000
	[authority]=0000000000000000 [pool]=0000000000000000)
declare -A want_uid=([ike]=901 [authority]=902 [pool]=903 [kernel]=904)
declare -A want_nnp=([ike]=0 [authority]=1 [pool]=1 [kernel]=0)
for s in $SERVICES; do
	got=$(podman exec "$(ctr "$s")" awk '/^(Uid|Gid|CapEff|CapBnd|NoNewPrivs):/ {printf "%s%s ", $1, $2}' /proc/1/status 2>&1)
	u=${want_uid[$s]} w=${want_caps[$s]}
	want="Uid:$u Gid:900 CapEff:$w CapBnd:$w NoNewPrivs:${want_nnp[$s]} "
	if [ "$got" = "$want" ]; then
		echo "PASS compose $s runs as uid $u with caps $w"
	else
		echo "FAIL compose $s credentials: got '$got' want '$want'"
	fi
done

# ike keeps its IKE_SAs in its volume, so a restarted container restores them.
if podman logs "$(ctr ike)" 2>&1 | grep -q 'IKE_SAs are not kept across restarts'; then
	echo "FAIL compose ike state: $(podman logs "$(ctr ike)" 2>&1 | grep 'not kept across')"
else
	echo "PASS compose ike keeps its IKE_SAs in /var/lib/cygnet/ike"
fi

# all_up CONTAINER: cygnetctl --status there sees four running services.
all_up() {
	local out until=$((SECONDS + 15))
	while [ "$SECONDS" -lt "$until" ]; do
		out=$(podman exec "$1" cygnetctl --timeout 1000 --status 2>&1) &&
			[ "$(echo "$out" | grep -c ' running ')" -eq 4 ] && return 0
		sleep 0.1
	done
	echo "$out" | tr '\n' ' '
	return 1
}
if why=$(all_up "$(ctr pool)"); then
	echo "PASS compose cygnetctl --status from a container: all four running"
else
	echo "FAIL compose cygnetctl --status from a container: $why"
fi

# A crash: SIGKILL to a service's process; the restart policy brings the
# container back and the others carry on with it.
for s in $SERVICES; do
	c=$(ctr "$s")
	[ -n "$c" ] || { echo "FAIL compose $s after SIGKILL: no container"; continue; }
	pid=$(podman inspect -f '{{.State.Pid}}' "$c")
	restarts=$(podman inspect -f '{{.RestartCount}}' "$c")
	kill -KILL "$pid"
	ok=0
	for _ in $(seq 100); do
		[ "$(podman inspect -f '{{.RestartCount}}' "$c")" != "$restarts" ] &&
			pe_wait_healthy "$c" 0 && { ok=1; break; }
		sleep 0.1
	done
	if [ $ok = 1 ] && why=$(all_up "$(ctr ike)"); then
		echo "PASS compose $s container restarted healthy after SIGKILL, all services up"
	else
		echo "FAIL compose $s after SIGKILL: $(podman inspect -f '{{.State.Status}} restarts {{.RestartCount}}' "$c") ${why:-}"
	fi
done
