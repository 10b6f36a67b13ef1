#!/bin/bash
# cygnet-kernel against a kernel with ESP: SPI allocation, SA add/update/
# delete for every algorithm, UDP encapsulation, lifetimes, ESN, marks.
# Each SA the service installs is compared, as `ip -s xfrm state` prints
# it, with a reference SA that `ip xfrm state add` installed from the same
# parameters (only the SPI differs).  Then error paths, expiry events and
# acquire events.
set -u
. "$(dirname "$0")/kernel-lib.inc"
trap kernel_cleanup EXIT

ns=cyg-ksa-$$
kernel_netns=$ns
ip netns add "$ns"
ip -n "$ns" link set lo up
build_client || exit 1
start_daemon sa "$ns" "reqid_min = 100
    reqid_max = 199" || exit 1

# hexkey BYTES: a deterministic key of that many bytes
hexkey() {
	local i s=
	for ((i = 0; i < $1; i++)); do s+=$(printf %02x $(((i * 7 + 3) & 255))); done
	echo "$s"
}
k16=$(hexkey 16); k20=$(hexkey 20); k32=$(hexkey 32); k36=$(hexkey 36)
k48=$(hexkey 48); k64=$(hexkey 64)

# The SA as ip prints it, up to the usage counters, SPI blanked.
show_sa() {
	ip -n "$ns" -s xfrm state get src "$1" dst "$2" proto esp spi "0x$3" $ip_id_extra 2>&1 |
		awk '/lifetime current:/ { exit } { print }' |
		sed -E 's/spi 0x[0-9a-f]+\([0-9]+\)/spi X/'
}

# check_sa NAME HOW CLIENT_ARGS -- IP_ARGS: installs an SA through the
# service (HOW "add": outbound with a fixed SPI; "alloc": inbound, SPI
# from ALLOC_SPI then UPDATE_SA) and a reference with ip, compares.
ref_spi=1000
check_sa() {
	local name=$1 how=$2 cargs=() ipargs=() spi out ours ref src dst
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cargs+=("$1"); shift; done
	shift
	ipargs=("$@")
	if [ "$how" = alloc ]; then
		src=192.0.2.2; dst=192.0.2.1
		out=$(echo "alloc-spi src=$src dst=$dst reqid=150" | kc sa)
		spi=${out#spi }
		if [ "$out" = "$spi" ]; then
			fail "$name" "alloc-spi: $out"
			return
		fi
		out=$(echo "sa update src=$src dst=$dst spi=$spi reqid=150 inbound=1 ${cargs[*]}" | kc sa)
	else
		src=192.0.2.1; dst=192.0.2.2; spi=c1000$((ref_spi % 1000 + 100))
		out=$(echo "sa add src=$src dst=$dst spi=$spi reqid=150 ${cargs[*]}" | kc sa)
	fi
	if [ "$out" != ok ]; then
		fail "$name" "service: $out"
		return
	fi
	ref_spi=$((ref_spi + 1))
	if ! ip -n "$ns" xfrm state add src "$src" dst "$dst" proto esp spi "$ref_spi" \
		reqid 150 mode tunnel "${ipargs[@]}" 2>"$kdir/ip.err"; then
		fail "$name" "ip reference: $(cat "$kdir/ip.err")"
		return
	fi
	ours=$(show_sa "$src" "$dst" "$spi")
	ref=$(show_sa "$src" "$dst" "$(printf %x "$ref_spi")")
	if ! grep -q "proto esp spi X reqid 150" <<<"$ours"; then
		fail "$name" "not readable: $(echo "$ours" | head -n 2 | tr '\n' ' ')"
	elif [ "$ours" != "$ref" ]; then
		fail "$name" "differs from ip's encoding"
		diff <(echo "$ref") <(echo "$ours") | sed 's/^/  /'
	else
		pass "$name"
	fi
	out=$(echo "del-sa dst=$dst spi=$spi $id_extra" | kc sa)
	if [ "$out" != ok ] || ip -n "$ns" xfrm state get src "$src" dst "$dst" \
		proto esp spi "0x$spi" $ip_id_extra >/dev/null 2>&1; then
		fail "$name-delete" "del-sa: $out"
	fi
	ip -n "$ns" xfrm state delete src "$src" dst "$dst" proto esp spi "$ref_spi" $ip_id_extra
}
# how an SA with a mark is named for get/delete (set around such a check)
id_extra=
ip_id_extra=

check_sa sa-aes128-sha1 alloc encr=12 bits=128 ekey=$k16 integ=2 ikey=$k20 replay=32 -- \
	enc 'cbc(aes)' 0x$k16 auth-trunc 'hmac(sha1)' 0x$k20 96 replay-window 32 flag af-unspec
check_sa sa-aes256-sha256-espinudp add encr=12 bits=256 ekey=$k32 integ=12 ikey=$k32 \
	sport=4500 dport=4500 encap=1 -- \
	enc 'cbc(aes)' 0x$k32 auth-trunc 'hmac(sha256)' 0x$k32 128 \
	encap espinudp 4500 4500 0.0.0.0 flag af-unspec
check_sa sa-aes256-sha384-lifetimes alloc encr=12 bits=256 ekey=$k32 integ=13 ikey=$k48 \
	soft_s=3000 hard_s=3600 soft_b=1000000 hard_b=2000000 soft_p=1000 hard_p=2000 -- \
	enc 'cbc(aes)' 0x$k32 auth-trunc 'hmac(sha384)' 0x$k48 192 \
	limit time-soft 3000 limit time-hard 3600 limit byte-soft 1000000 \
	limit byte-hard 2000000 limit packet-soft 1000 limit packet-hard 2000 flag af-unspec
check_sa sa-aes128-sha512 add encr=12 bits=128 ekey=$k16 integ=14 ikey=$k64 -- \
	enc 'cbc(aes)' 0x$k16 auth-trunc 'hmac(sha512)' 0x$k64 256 flag af-unspec
check_sa sa-aes128gcm16-esn alloc encr=20 bits=128 ekey=$k20 esn=1 replay=128 -- \
	aead 'rfc4106(gcm(aes))' 0x$k20 128 replay-window 128 flag af-unspec esn
check_sa sa-aes256gcm16 add encr=20 bits=256 ekey=$k36 replay=32 -- \
	aead 'rfc4106(gcm(aes))' 0x$k36 128 replay-window 32 flag af-unspec
check_sa sa-chacha20poly1305 alloc encr=28 bits=256 ekey=$k36 -- \
	aead 'rfc7539esp(chacha20,poly1305)' 0x$k36 128 flag af-unspec
id_extra="mark=10 mask=ff"
ip_id_extra="mark 0x10 mask 0xff"
check_sa sa-mark-ifid add encr=12 bits=128 ekey=$k16 integ=2 ikey=$k20 mark=10 mask=ff if_id=7 -- \
	enc 'cbc(aes)' 0x$k16 auth-trunc 'hmac(sha1)' 0x$k20 96 mark 0x10 mask 0xff if_id 7 flag af-unspec
id_extra=
ip_id_extra=

# A replay window above 32 needs the ESN replay state even without ESN
# (the legacy field caps at 32): iproute2 cannot express it, check ours.
out=$(echo "sa add src=192.0.2.1 dst=192.0.2.2 spi=c2000001 reqid=150 encr=12 bits=128 ekey=$k16 integ=2 ikey=$k20 replay=1024" | kc sa)
text=$(ip -n "$ns" xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc2000001 2>&1)
if [ "$out" = ok ] && grep -q "replay_window 1024, bitmap-length 32" <<<"$text" &&
	! grep -q "flag.*esn" <<<"$text"; then
	pass sa-replay-window-1024
else
	fail sa-replay-window-1024 "$out / $(echo "$text" | head -n 6 | tr '\n' ' ')"
fi

# Errors come back with errno and meaning, nothing is installed twice.
out=$(echo "sa add src=192.0.2.1 dst=192.0.2.2 spi=c2000001 reqid=150 encr=12 bits=128 ekey=$k16 integ=2 ikey=$k20" | kc sa)
case $out in
*"SA already exists"*EEXIST*) pass sa-add-duplicate-eexist ;;
*) fail sa-add-duplicate-eexist "$out" ;;
esac
echo "del-sa dst=192.0.2.2 spi=c2000001" | kc sa >/dev/null
out=$(echo "del-sa dst=192.0.2.2 spi=c2000001" | kc sa)
case $out in
*"no such SA"*ESRCH*) pass sa-delete-missing-esrch ;;
*) fail sa-delete-missing-esrch "$out" ;;
esac
out=$(echo "sa add src=192.0.2.1 dst=192.0.2.2 spi=c2000002 reqid=5 encr=12 bits=128 ekey=$k16 integ=2 ikey=$k20" | kc sa)
case $out in
"error RPC_BAD_REQUEST reqid 5 outside the configured range 100-199") pass sa-reqid-outside-range ;;
*) fail sa-reqid-outside-range "$out" ;;
esac

# free-spi removes a larval SA.
out=$(echo "alloc-spi src=192.0.2.2 dst=192.0.2.1 reqid=151" | kc sa)
spi=${out#spi }
out=$(echo "free-spi dst=192.0.2.1 spi=$spi" | kc sa)
if [ "$out" = ok ] && ! ip -n "$ns" xfrm state get src 192.0.2.2 dst 192.0.2.1 proto esp \
	spi "0x$spi" >/dev/null 2>&1; then
	pass spi-alloc-free
else
	fail spi-alloc-free "$out"
fi

# Expiry: soft after 2 s, hard after 4 s, both published as kernel.expire.
out=$({
	echo subscribe
	sleep 0.5
	echo "sa add src=192.0.2.1 dst=192.0.2.2 spi=c3000001 reqid=160 encr=12 bits=128 ekey=$k16 integ=2 ikey=$k20 soft_s=2 hard_s=4"
	echo "wait kernel.expire 10"
	echo "wait kernel.expire 10"
} | kc sa)
if grep -q "event kernel.expire spi=c3000001 reqid=160 hard=0" <<<"$out" &&
	grep -q "event kernel.expire spi=c3000001 reqid=160 hard=1" <<<"$out" &&
	! ip -n "$ns" xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc3000001 \
		>/dev/null 2>&1; then
	pass expire-events-soft-hard
else
	fail expire-events-soft-hard "$(echo "$out" | tr '\n' ' ')"
fi

# Acquire: an out policy without an SA, a packet matching it.
ip -n "$ns" -batch - <<BATCH
link add kd0 type dummy
link set kd0 up
addr add 192.0.2.1/24 dev kd0
addr add 203.0.113.1/32 dev lo
route add 203.0.113.2/32 via 192.0.2.2 src 203.0.113.1
BATCH
out=$({
	echo subscribe
	echo "policy add local=192.0.2.1 remote=192.0.2.2 lts=203.0.113.1/32 rts=203.0.113.2/32 reqid=170"
	sleep 1
	ip netns exec "$ns" ping -c 1 -W 1 203.0.113.2 >/dev/null 2>&1
	echo "wait kernel.acquire 10"
} | kc sa)
if grep -q "event kernel.acquire reqid=170" <<<"$out"; then
	pass acquire-event
else
	fail acquire-event "$(echo "$out" | tr '\n' ' ')"
fi

metrics=$(ip netns exec "$ns" curl -s http://127.0.0.1:9104/metrics)
if grep -q 'cygnet_kernel_events_total{type="soft_expire"} 1' <<<"$metrics" &&
	grep -q 'cygnet_kernel_events_total{type="hard_expire"} 1' <<<"$metrics" &&
	grep -q 'cygnet_kernel_netlink_errors_total{errno="EEXIST"} 1' <<<"$metrics"; then
	pass kernel-metrics
else
	fail kernel-metrics "$(grep -E 'events_total|errors_total' <<<"$metrics" | tr '\n' ' ')"
fi
exit "$failed"
