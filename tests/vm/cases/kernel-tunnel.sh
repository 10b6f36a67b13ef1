#!/bin/bash
# Two namespaces joined only by SAs and policies that two cygnet-kernel
# daemons (one per namespace) installed over RPC: pings through the
# tunnel (IPv4 and IPv6 inside IPv4, IPv6 outer, ESP-in-UDP), usage
# counters that grow, a kill -9 and restart that adopts everything while
# a ping keeps going, desired-state reconciliation, flush on stop.
set -u
. "$(dirname "$0")/kernel-lib.inc"

encap_pids=""
cleanup() {
	local pid
	for pid in $encap_pids; do
		kill "$pid" 2>/dev/null
	done
	kernel_cleanup
}
trap cleanup EXIT

a=cyg-kta-$$
b=cyg-ktb-$$
make_pair "$a" "$b"
build_client || exit 1
start_daemon ka "$a" || exit 1
start_daemon kb "$b" || exit 1

enc=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
auth=0001020304050607080910111213141516171819
alg="encr=12 bits=256 ekey=$enc integ=2 ikey=$auth replay=32"

# sa_lines OUT_SRC OUT_DST SPI_IN SPI_OUT REQID VERB [EXTRA]: one side's
# inbound (completing the allocated SPI) and outbound SA.
sa_lines() {
	echo "$6 update src=$2 dst=$1 spi=$3 reqid=$5 inbound=1 $alg ${7:-}"
	echo "$6 add src=$1 dst=$2 spi=$4 reqid=$5 $alg ${7:-}"
}

# tunnel NAME REQID OUTER_A OUTER_B [SA_EXTRA]: SPIs, SAs, policies on
# both sides; sets spi_a (inbound on a) and spi_b (inbound on b).
tunnel() {
	local name=$1 reqid=$2 oa=$3 ob=$4 extra=${5:-} out
	spi_a=$(echo "alloc-spi src=$ob dst=$oa reqid=$reqid" | kc ka)
	spi_b=$(echo "alloc-spi src=$oa dst=$ob reqid=$reqid" | kc kb)
	spi_a=${spi_a#spi }
	spi_b=${spi_b#spi }
	pol_a="local=$oa remote=$ob lts=203.0.113.1/32,2001:db8:3::1/128 rts=203.0.113.2/32,2001:db8:3::2/128 reqid=$reqid"
	pol_b="local=$ob remote=$oa lts=203.0.113.2/32,2001:db8:3::2/128 rts=203.0.113.1/32,2001:db8:3::1/128 reqid=$reqid"
	sa_a=$(sa_lines "$oa" "$ob" "$spi_a" "$spi_b" "$reqid" sa "$extra")
	out=$({ echo "$sa_a"; echo "policy add $pol_a"; } | kc ka)
	out+=" "$({ sa_lines "$ob" "$oa" "$spi_b" "$spi_a" "$reqid" sa "$extra"; echo "policy add $pol_b"; } | kc kb)
	if [ "$(echo $out)" != "ok ok policies 6 ok ok policies 6" ]; then
		fail "$name-setup" "$(echo $out)"
		return 1
	fi
}

untunnel() {
	local oa=$1 ob=$2 reqid=$3
	{ echo "del-sa dst=$oa spi=$spi_a"; echo "del-sa dst=$ob spi=$spi_b"; echo "policy del $pol_a"; } | kc ka >/dev/null
	{ echo "del-sa dst=$ob spi=$spi_b"; echo "del-sa dst=$oa spi=$spi_a"; echo "policy del $pol_b"; } | kc kb >/dev/null
}

# usage NAME DST SPI -> "bytes packets last_used now" from a's daemon
usage() {
	echo "query-sa dst=$1 spi=$2" | kc ka |
		sed -nE 's/^usage bytes=([0-9]+) packets=([0-9]+) use_time=[0-9]+ last_used=([0-9]+) now=([0-9]+)$/\1 \2 \3 \4/p'
}

# ping_check NAME OUTER_A OUTER_B: pings both inner families, then the
# outbound and inbound SA of a must have counted them, recently.
ping_check() {
	local name=$1 oa=$2 ob=$3 u_out u_in
	if ! ip netns exec "$a" ping -c 3 -i 0.2 -W 3 203.0.113.2 >"$kdir/ping" 2>&1 ||
		! ip netns exec "$a" ping -c 3 -i 0.2 -W 3 2001:db8:3::2 >>"$kdir/ping" 2>&1; then
		fail "$name" "ping: $(tail -n 3 "$kdir/ping" | tr '\n' ' ')"
		return 1
	fi
	u_out=($(usage "$ob" "$spi_b"))
	u_in=($(usage "$oa" "$spi_a"))
	if [ "${#u_out[@]}" -ne 4 ] || [ "${#u_in[@]}" -ne 4 ] ||
		[ "${u_out[1]}" -lt 6 ] || [ "${u_in[1]}" -lt 6 ] ||
		[ "${u_out[0]}" -le 0 ] || [ $((u_out[3] - u_out[2])) -gt 10 ]; then
		fail "$name" "usage out [${u_out[*]}] in [${u_in[*]}]"
		return 1
	fi
	pass "$name"
	echo "  out $spi_b: ${u_out[0]} bytes, ${u_out[1]} packets, $((u_out[3] - u_out[2]))s ago; in $spi_a: ${u_in[0]} bytes, ${u_in[1]} packets"
}

# ---- IPv4 outer, IPv4 and IPv6 inner (the seed's shape) ----------------------
if tunnel tunnel-v4 1 192.0.2.1 192.0.2.2; then
	ping_check tunnel-v4-ping-and-usage 192.0.2.1 192.0.2.2
	before=($(usage 192.0.2.2 "$spi_b"))
	ip netns exec "$a" ping -c 3 -i 0.2 -W 3 203.0.113.2 >/dev/null 2>&1
	after=($(usage 192.0.2.2 "$spi_b"))
	if [ "${after[1]:-0}" -ge $((${before[1]:-0} + 3)) ] &&
		[ "${after[0]:-0}" -gt "${before[0]:-0}" ]; then
		pass usage-counters-grow
	else
		fail usage-counters-grow "before [${before[*]}] after [${after[*]}]"
	fi

	# ---- kill -9 and restart while traffic flows -------------------------
	ip netns exec "$a" ping -c 25 -i 0.2 -W 2 203.0.113.2 >"$kdir/ping-restart" 2>&1 &
	ping_pid=$!
	sleep 1
	kill -9 "$pid_ka"
	wait "$pid_ka" 2>/dev/null
	states=$(ip -n "$a" xfrm state | grep -c "^src")
	start_daemon ka "$a"
	list=$(echo list | kc ka)
	wait "$ping_pid"
	loss=$(sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p' "$kdir/ping-restart")
	if [ "$states" = 2 ] && [ "$list" = "list sas=2 larval=0 policies=14" ] &&
		grep -q "adopted 2 SAs and 14 policies" "$kdir/ka/log" && [ "$loss" = 0 ]; then
		pass restart-adopts-and-keeps-tunnel
	else
		fail restart-adopts-and-keeps-tunnel "states $states, $list, loss ${loss:-?}%, $(grep adopted "$kdir/ka/log")"
	fi

	# ---- the IKE service re-sends its desired state ----------------------
	desired=$(sa_lines 192.0.2.1 192.0.2.2 "$spi_a" "$spi_b" 1 "desired sa")
	out=$({ echo "$desired"; echo "desired policy $pol_a"; echo commit; } | kc ka | tail -n 1)
	if [ "$out" = "reconcile sas_added=0 sas_removed=0 sas_kept=2 policies_added=0 policies_removed=0 policies_kept=14 errors=0" ]; then
		pass reconcile-after-restart-changes-nothing
	else
		fail reconcile-after-restart-changes-nothing "$out"
	fi
	# an SA and a policy nobody wants any more go, the rest stays
	out=$({
		echo "sa add src=192.0.2.1 dst=192.0.2.2 spi=c9999999 reqid=2 $alg"
		echo "policy add local=192.0.2.1 remote=192.0.2.2 lts=198.51.100.0/24 rts=198.51.100.0/24 reqid=2"
		echo "$desired"; echo "desired policy $pol_a"; echo commit
	} | kc ka | tail -n 1)
	if [ "$out" = "reconcile sas_added=0 sas_removed=1 sas_kept=2 policies_added=0 policies_removed=3 policies_kept=14 errors=0" ] &&
		ip netns exec "$a" ping -c 2 -i 0.2 -W 2 203.0.113.2 >/dev/null 2>&1; then
		pass reconcile-removes-unwanted
	else
		fail reconcile-removes-unwanted "$out"
	fi
	# a missing SA comes back from the desired state (an inbound one: a
	# new outbound SA would restart its sequence numbers below the peer's
	# replay window)
	ip -n "$a" xfrm state delete src 192.0.2.2 dst 192.0.2.1 proto esp spi "0x$spi_a"
	out=$({ echo "$desired"; echo "desired policy $pol_a"; echo commit; } | kc ka | tail -n 1)
	if [ "$out" = "reconcile sas_added=1 sas_removed=0 sas_kept=1 policies_added=0 policies_removed=0 policies_kept=14 errors=0" ] &&
		ip netns exec "$a" ping -c 2 -i 0.2 -W 2 203.0.113.2 >/dev/null 2>&1; then
		pass reconcile-restores-missing
	else
		fail reconcile-restores-missing "$out"
	fi
	untunnel 192.0.2.1 192.0.2.2 1
fi

# ---- IPv6 outer ------------------------------------------------------------------
if tunnel tunnel-v6 3 2001:db8:2::1 2001:db8:2::2; then
	ping_check tunnel-v6-outer-ping-and-usage 2001:db8:2::1 2001:db8:2::2
	untunnel 2001:db8:2::1 2001:db8:2::2 3
fi

# ---- ESP in UDP --------------------------------------------------------------
# The kernel decapsulates only for a socket on 4500 with UDP_ENCAP set
# (the IKE service's own socket in production).  Level 17 is SOL_UDP:
# perl's Socket does not export IPPROTO_UDP by default, and the bareword
# would silently become 0 (SOL_IP, where option 100 is ENOPROTOOPT).
for ns in "$a" "$b"; do
	ip netns exec "$ns" perl -MSocket -e '
		socket(my $s, PF_INET, SOCK_DGRAM, IPPROTO_UDP) or die "socket: $!";
		setsockopt($s, 17, 100, pack("i", 2)) or die "UDP_ENCAP: $!";
		bind($s, pack_sockaddr_in(4500, INADDR_ANY)) or die "bind: $!";
		print "ready\n"; $| = 1; sleep 600;' >"$kdir/encap.$ns" 2>&1 &
	encap_pids="$encap_pids $!"
done
for ns in "$a" "$b"; do
	for _ in $(seq 50); do
		grep -q ready "$kdir/encap.$ns" 2>/dev/null && break
		sleep 0.1
	done
done
if ! grep -q ready "$kdir/encap.$a" || ! grep -q ready "$kdir/encap.$b"; then
	fail tunnel-espinudp-ping-and-usage "UDP_ENCAP sockets: $(cat "$kdir/encap.$a" "$kdir/encap.$b" | tr '\n' ' ')"
elif tunnel tunnel-espinudp 4 192.0.2.1 192.0.2.2 "encap=1 sport=4500 dport=4500"; then
	if ip -n "$a" xfrm state | grep -q "encap type espinudp sport 4500 dport 4500"; then
		ping_check tunnel-espinudp-ping-and-usage 192.0.2.1 192.0.2.2
	else
		fail tunnel-espinudp-ping-and-usage "no espinudp encapsulation on the SAs"
	fi
	untunnel 192.0.2.1 192.0.2.2 4
fi

# ---- stop: leave in place by default, flush when configured -------------------
echo "sa add src=192.0.2.1 dst=192.0.2.2 spi=c7000001 reqid=5 $alg" | kc ka >/dev/null
kill -TERM "$pid_ka"
wait "$pid_ka" 2>/dev/null
if ip -n "$a" xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc7000001 >/dev/null 2>&1 &&
	grep -q "leaving SAs and policies installed" "$kdir/ka/log"; then
	pass stop-leaves-sas
else
	fail stop-leaves-sas "$(tail -n 2 "$kdir/ka/log" | tr '\n' ' ')"
fi
ip -n "$a" xfrm policy add src 198.51.100.0/24 dst 198.51.100.0/24 dir out \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 0 mode tunnel
start_daemon kf "$a" "flush_on_stop = yes"
kill -TERM "$pid_kf"
wait "$pid_kf" 2>/dev/null
left=$(ip -n "$a" xfrm state | grep -c "^src")
foreign=$(ip -n "$a" xfrm policy | grep -c "reqid 0 ")
owned=$(ip -n "$a" xfrm policy | grep -c "dir")
if [ "$left" = 0 ] && [ "$foreign" = 1 ] && [ "$owned" = 1 ]; then
	pass stop-flush-removes-only-owned
else
	fail stop-flush-removes-only-owned "states $left, policies $owned, foreign $foreign"
fi
exit "$failed"
