# Sourced by the container tests: a podman of their own (config, storage,
# networks) and the cached images.
#
# Everything persistent lives in $CYGNET_DEPLOY_CACHE (default
# /var/cache/cygnet-deploy): the debootstrap base image and the built images,
# tagged with a hash of the Containerfile and the sources, so a second run
# builds nothing.  One test at a time holds the cache (flock).  On a fresh
# machine the base takes ~30 s (debootstrap) and the images ~2-3 min.
#
# Functions print "FAIL <name>: why" themselves and return non-zero.

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CYGNET_DEPLOY_CACHE:-/var/cache/cygnet-deploy}
base_image=localhost/debian:12-slim
# podman's run-time state, one per cache (its database records the paths)
run_root=/run/cygnet-deploy/$(echo "$cache" | sha256sum | cut -c1-8)
SERVICES="ike authority pool kernel"

pe_fail() {
	echo "FAIL $1: $2"
	return 1
}

# pe_setup NAME: prerequisites, podman config, cache lock (held until exit).
pe_setup() {
	local name=$1 cmd
	[ "$(id -u)" = 0 ] || { pe_fail "$name" "needs root (rootful podman)"; return 1; }
	for cmd in podman buildah runc debootstrap flock sha256sum unshare; do
		command -v "$cmd" >/dev/null ||
			{ pe_fail "$name" "$cmd missing (deploy/deps/deploy.txt: make deps)"; return 1; }
	done
	mkdir -p "$cache/networks" "$run_root/tmp" || { pe_fail "$name" "cannot create $cache"; return 1; }
	exec 9>"$cache/lock"
	flock 9
	cat >"$cache/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$run_root/events.log"
tmp_dir = "$run_root/tmp"
volume_path = "$cache/storage/volumes"

[network]
network_config_dir = "$cache/networks"
CONF
	cat >"$cache/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$cache/storage"
runroot = "$run_root/storage"
CONF
	export CONTAINERS_CONF="$cache/containers.conf"
	export CONTAINERS_STORAGE_CONF="$cache/storage.conf"
	export CONTAINERS_REGISTRIES_CONF="$cache/registries.conf"
	printf 'unqualified-search-registries = []\n' >"$cache/registries.conf"
}

# The Debian 12 base, made locally: no registry is reachable.
pe_base() {
	local name=$1 root
	podman image exists "$base_image" && return 0
	# on tmpfs: dpkg's fsyncs make it several times slower on disk
	root=$(mktemp -d /dev/shm/cygnet-debootstrap.XXXXXX)
	if ! debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
		>"$cache/debootstrap.log" 2>&1; then
		rm -rf "$root"
		pe_fail "$name" "debootstrap failed, see $cache/debootstrap.log"
		return 1
	fi
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
	tar -C "$root" -c . | podman import -q - "$base_image" >/dev/null
	local rc=$?
	rm -rf "$root"
	[ $rc -eq 0 ] || { pe_fail "$name" "podman import of the base image failed"; return 1; }
}

# pe_snapshot DIR: a copy of what the images are built from (the tree may
# change under a running test); sets $tag to its hash.
pe_snapshot() {
	local dir=$1
	mkdir -p "$dir"
	(cd "$top" && tar -c Makefile proto common services deploy/systemd \
		deploy/container/Containerfile) | tar -C "$dir" -x
	tag=$(cd "$dir" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}

# pe_images NAME: the images of the current sources as
# localhost/cygnet-<svc>:$tag (and the build stage as cygnet-build), built
# by deploy/container/build when missing.  Sets $tag.
pe_images() {
	local name=$1 svc missing="" snap
	snap=$(mktemp -d)
	pe_snapshot "$snap/src"
	for svc in build $SERVICES; do
		podman image exists "localhost/cygnet-$svc:$tag" || missing="$missing $svc"
	done
	if [ -n "$missing" ] && ! CYGNET_SOURCE=$snap/src CYGNET_BASE=$base_image \
		CYGNET_BUILD_OPTS="--pull=never --network host" \
		"$top/deploy/container/build" "$tag" >"$cache/build.log" 2>&1; then
		rm -rf "$snap"
		pe_fail "$name" "deploy/container/build failed: $(tail -5 "$cache/build.log" | tr '\n' ' ')"
		return 1
	fi
	rm -rf "$snap"
	[ -z "$missing" ] || pe_prune
}

# Images of older source hashes and dangling build layers go, so the cache
# does not grow without bound; the base and the current images stay.
pe_prune() {
	podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/cygnet-' |
		grep -v ":$tag\$" | xargs -r podman rmi -f >/dev/null 2>&1
	podman image prune -f >/dev/null 2>&1
	return 0
}

# pe_wait_healthy CONTAINER [SECONDS]: polls the container's health check
# (no systemd timers run them here) for up to SECONDS (default 20).
pe_wait_healthy() {
	local c=$1 until=$((SECONDS + ${2:-20}))
	while :; do
		podman healthcheck run "$c" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -lt "$until" ] || return 1
		sleep 0.2
	done
}

# pe_pki NAME DIR: the demo PKI (deploy/pki/mkpki, keys cached) as a
# swanctl directory DIR/swanctl for the gateway vpn.example.org.
pe_pki() {
	local name=$1 dir=$2 gw=vpn.example.org
	if ! "$top/deploy/pki/mkpki" "$dir/pki" --org "Cygnet Deploy Test" --gateway "$gw" \
		--key-cache "$cache/pki-keys" >"$dir/mkpki.log" 2>&1; then
		pe_fail "$name" "mkpki failed: $(tail -3 "$dir/mkpki.log" | tr '\n' ' ')"
		return 1
	fi
	mkdir -p "$dir/swanctl/x509ca" "$dir/swanctl/x509" "$dir/swanctl/private"
	cp "$dir/pki/ca/ca.pem" "$dir/swanctl/x509ca/ca.pem"
	cp "$dir/pki/$gw/x509/$gw.pem" "$dir/swanctl/x509/$gw.pem"
	install -m 600 "$dir/pki/$gw/ecdsa/$gw.key" "$dir/swanctl/private/$gw.key"
	chmod 700 "$dir/swanctl/private"
}

# pe_teardown: after a test's own cleanup, with the lock still held: build
# containers an interrupted build left behind, and the storage driver's
# mounts, so nothing stays mounted between runs.
pe_teardown() {
	buildah rm --all >/dev/null 2>&1
	grep -q " $cache/storage/overlay/[^ ]*/merged " /proc/self/mounts ||
		umount "$cache/storage/overlay" 2>/dev/null
	return 0
}
