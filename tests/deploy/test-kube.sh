#!/bin/bash
# The Kubernetes manifests (deploy/kubernetes) run with `podman play kube`:
# the gateway pod (ike + kernel), the authority and the pool pods, turned
# into plain pods by kube-to-podman (see there for the little it changes).
# Each container's liveness probe passes, each /status answers, the
# containers run with the users and capabilities the manifests give them,
# and cygnetctl --status in the gateway pod sees all four services over the
# manifests' endpoints.  In network and mount namespaces of the test's own,
# which stand in for the node's.  Prints PASS/FAIL lines.
set -u
. "$(dirname "$0")/podman-env.sh"
name=kube
kube=$top/deploy/kubernetes

if [ -z "${CYGNET_TEST_NETNS:-}" ]; then
	pe_setup "$name" || exit 1
	command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null ||
		{ pe_fail "$name" "python3-yaml missing (deploy/deps/deploy.txt: make deps)"; exit 1; }
	pe_base "$name" || exit 1
	pe_images "$name" || exit 1
	CYGNET_TEST_NETNS=1 CYGNET_IMAGE_TAG=$tag exec unshare --net --mount "$0" "$@"
fi
ip link set lo up
pe_setup "$name" || exit 1
tag=$CYGNET_IMAGE_TAG
work=$(mktemp -d)
# The Service names: podman 4.3 ignores hostAliases in the host network and
# copies the host's /etc/hosts, so the test's mount namespace gets its own.
{ cat /etc/hosts; echo "127.0.0.1 cygnet-ike cygnet-authority cygnet-pool"; } >"$work/hosts"
mount --bind "$work/hosts" /etc/hosts || { pe_fail "$name" "cannot mount $work/hosts"; exit 1; }
spec=$work/pods.yaml

cleanup() {
	[ -s "$spec" ] && podman play kube --down "$spec" >/dev/null 2>&1
	podman pod rm -f -t 0 cygnet-gateway cygnet-authority cygnet-pool >/dev/null 2>&1
	podman volume rm -f cygnet-pool-state cygnet-config >/dev/null 2>&1
	rm -rf "$work"
	pe_teardown
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pe_pki "$name" "$work" || exit 1
mkdir -p "$work/secret"
cp "$work/swanctl/x509ca/ca.pem" "$work/secret/ca.pem"
cp "$work/swanctl/x509/vpn.example.org.pem" "$work/secret/gateway.pem"
cp "$work/swanctl/private/vpn.example.org.key" "$work/secret/gateway.key"
if ! "$top/tests/deploy/kube-to-podman" "$tag" "$work/secret" "$kube/configmap.yaml" \
	"$kube/gateway.yaml" "$kube/authority.yaml" "$kube/pool.yaml" >"$spec" 2>"$work/err"; then
	pe_fail "$name" "kube-to-podman: $(cat "$work/err")"
	exit 1
fi
# leftovers of an interrupted run
podman pod rm -f -t 0 cygnet-gateway cygnet-authority cygnet-pool >/dev/null 2>&1
podman volume rm -f cygnet-pool-state cygnet-config >/dev/null 2>&1
start=$(date +%s%N)
if ! podman play kube "$spec" >"$work/play.log" 2>&1; then
	pe_fail "$name" "podman play kube: $(tail -5 "$work/play.log" | tr '\n' ' ')"
	exit 1
fi

declare -A ctr=([ike]=cygnet-gateway-ike [kernel]=cygnet-gateway-kernel
	[authority]=cygnet-authority-authority [pool]=cygnet-pool-pool)
declare -A port=([ike]=9101 [authority]=9102 [pool]=9103 [kernel]=9104)
for s in $SERVICES; do
	c=${ctr[$s]}
	if pe_wait_healthy "$c" 20; then
		echo "PASS kube $s liveness probe"
	else
		echo "FAIL kube $s liveness probe: $(podman inspect -f '{{.State.Status}} exit {{.State.ExitCode}}' "$c" 2>&1) $(podman logs --tail 5 "$c" 2>&1 | tr '\n' ' ')"
	fi
done
echo "# play kube to all probes passing in $((($(date +%s%N) - start) / 1000000)) ms"

for s in $SERVICES; do
	body=$(curl -sf --max-time 3 "http://127.0.0.1:${port[$s]}/status")
	case "$body" in
	*'"service":"'"$s"'"'*'"state":"running"'*|*'"service": "'"$s"'"'*'"state": "running"'*)
		echo "PASS kube $s /status" ;;
	*) echo "FAIL kube $s /status: '$body'" ;;
	esac
done

# The private key reached the authority, readable by its user only.
for _ in $(seq 25); do
	keys=$(curl -sf --max-time 3 http://127.0.0.1:9102/metrics | sed -n 's/^cygnet_authority_private_keys //p')
	[ "$keys" = 1 ] && break
	sleep 0.2
done
if [ "$keys" = 1 ]; then
	echo "PASS kube authority loaded the private key"
else
	echo "FAIL kube authority private keys: '$keys'; $(podman logs --tail 8 "${ctr[authority]}" 2>&1 | tr '\n' ' ')"
fi

declare -A want_caps=([ike]=0000000000000400 [kernel]=0000000000001000
	[authority]=0000000000000000 [pool]=0000000000000000)
declare -A want_uid=([ike]=901 [authority]=902 [pool]=903 [kernel]=904)
for s in $SERVICES; do
	got=$(podman exec "${ctr[$s]}" awk '/^(Uid|Gid|CapEff):/ {printf "%s%s ", $1, $2}' /proc/1/status 2>&1)
	u=${want_uid[$s]} w=${want_caps[$s]}
	want="Uid:$u Gid:900 CapEff:$w "
	if [ "$got" = "$want" ]; then
		echo "PASS kube $s runs as uid $u with caps $w"
	else
		echo "FAIL kube $s credentials: got '$got' want '$want'"
	fi
done

out=""
until=$((SECONDS + 15))
while [ "$SECONDS" -lt "$until" ]; do
	out=$(podman exec "${ctr[ike]}" cygnetctl --timeout 1000 --status 2>&1) &&
		[ "$(echo "$out" | grep -c ' running ')" -eq 4 ] && break
	sleep 0.1
done
if [ "$(echo "$out" | grep -c ' running ')" -eq 4 ]; then
	echo "PASS kube cygnetctl --status in the gateway pod: all four running"
else
	echo "FAIL kube cygnetctl --status in the gateway pod: $(echo "$out" | tr '\n' ' ')"
	for c in "${ctr[@]}"; do
		echo "# $c: $(podman logs --tail 8 "$c" 2>&1 | tr '\n' ' ')"
	done
fi
