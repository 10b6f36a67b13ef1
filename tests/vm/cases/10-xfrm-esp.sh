#!/bin/bash
# Kernel ESP between two namespaces, set up by hand with ip xfrm: tunnel-mode
# SAs and policies for IPv4, IPv6 and ESP-in-UDP (the seed's ESP algorithms,
# AES-CBC-256 with HMAC-SHA1-96).  A ping must pass and the SA counters must
# grow.  Proves the guest kernel does ESP before anything builds on it.
set -u
. "$(dirname "$0")/../espinudp.inc"
id=$$
a=cyg-$id-a
b=cyg-$id-b

cleanup() {
	encap_sockets_close
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
failed=0

enc=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
auth=0x0001020304050607080910111213141516171819

# Outer 192.0.2.0/24 and 2001:db8:2::/64 on the veth; inner hosts
# 203.0.113.1/.2 and 2001:db8:3::1/::2 on each side's loopback.
ip -batch - <<EOF
netns add $a
netns add $b
link add cyg-b netns $a type veth peer name cyg-a netns $b
EOF
for side in a b; do
	if [ "$side" = a ]; then ns=$a; me=1; peer=2; dev=cyg-b; else ns=$b; me=2; peer=1; dev=cyg-a; fi
	ip -n "$ns" -batch - <<EOF
link set lo up
link set $dev up
addr add 192.0.2.$me/24 dev $dev
addr add 2001:db8:2::$me/64 dev $dev nodad
addr add 203.0.113.$me/32 dev lo
addr add 2001:db8:3::$me/128 dev lo nodad
route add 203.0.113.$peer/32 via 192.0.2.$peer src 203.0.113.$me
route add 2001:db8:3::$peer/128 via 2001:db8:2::$peer src 2001:db8:3::$me
EOF
done

# sas_policies NS ME PEER OUTER_ME OUTER_PEER INNER_ME INNER_PEER PLEN [ENCAP]
# Writes one side's SAs (SPI 0x1000+ME outbound, 0x1000+PEER inbound) and
# out/in policies; run once per side and address family.
sas_policies() {
	local ns=$1 me=$2 peer=$3 om=$4 op=$5 im=$6 ip_=$7 plen=$8 encap=${9:-}
	ip -n "$ns" -batch - <<EOF
xfrm state add src $om dst $op proto esp spi $((0x1000 + me)) reqid 1 mode tunnel enc 'cbc(aes)' $enc auth-trunc 'hmac(sha1)' $auth 96 $encap
xfrm state add src $op dst $om proto esp spi $((0x1000 + peer)) reqid 1 mode tunnel enc 'cbc(aes)' $enc auth-trunc 'hmac(sha1)' $auth 96 $encap
xfrm policy add src $im/$plen dst $ip_/$plen dir out tmpl src $om dst $op proto esp reqid 1 mode tunnel
xfrm policy add src $ip_/$plen dst $im/$plen dir in tmpl src $op dst $om proto esp reqid 1 mode tunnel
EOF
}

# Packets counted on every ESP state in NS ("lifetime current: N(bytes), M(packets)").
state_packets() {
	ip -n "$1" -s xfrm state | awk '
		/lifetime current:/ { getline; sub(/^[ \t]*/, ""); split($0, f, /[(), ]+/); printf "%s ", f[3] }'
}

# check NAME PING_ARGS...: ping from a to b, then there must be states and
# every one must count at least as many packets as were sent.
check() {
	local name=$1 before after p
	shift
	before=$(state_packets "$a")
	if ! ip netns exec "$a" ping -c 3 -i 0.2 -W 3 "$@" >/tmp/cyg-ping.$id 2>&1; then
		fail "$name" "ping $*: $(tail -n 2 /tmp/cyg-ping.$id | tr '\n' ' ')"
		return
	fi
	after=$(state_packets "$a")
	if [ -z "$after" ]; then
		fail "$name" "no ESP states installed: the ping did not use ESP"
		return
	fi
	for p in $after; do
		if [ "$p" -lt 3 ]; then
			fail "$name" "ESP state counters did not grow: before [$before] after [$after]"
			return
		fi
	done
	pass "$name"
	echo "  ESP packets per state: before [$before] after [$after]"
}

flush() {
	ip -n "$a" xfrm state flush; ip -n "$a" xfrm policy flush
	ip -n "$b" xfrm state flush; ip -n "$b" xfrm policy flush
}

sas_policies "$a" 1 2 192.0.2.1 192.0.2.2 203.0.113.1 203.0.113.2 32
sas_policies "$b" 2 1 192.0.2.2 192.0.2.1 203.0.113.2 203.0.113.1 32
check xfrm-esp-ipv4 203.0.113.2
flush

sas_policies "$a" 1 2 2001:db8:2::1 2001:db8:2::2 2001:db8:3::1 2001:db8:3::2 128
sas_policies "$b" 2 1 2001:db8:2::2 2001:db8:2::1 2001:db8:3::2 2001:db8:3::1 128
check xfrm-esp-ipv6 2001:db8:3::2
flush

for ns in "$a" "$b"; do
	encap_socket_open "$ns" "/tmp/cyg-encap.$id.$ns"
done
for ns in "$a" "$b"; do
	encap_socket_wait "/tmp/cyg-encap.$id.$ns" ||
		fail xfrm-esp-in-udp "UDP_ENCAP socket in $ns: $(cat "/tmp/cyg-encap.$id.$ns")"
done
sas_policies "$a" 1 2 192.0.2.1 192.0.2.2 203.0.113.1 203.0.113.2 32 "encap espinudp 4500 4500 0.0.0.0"
sas_policies "$b" 2 1 192.0.2.2 192.0.2.1 203.0.113.2 203.0.113.1 32 "encap espinudp 4500 4500 0.0.0.0"
check xfrm-esp-in-udp 203.0.113.2
rm -f /tmp/cyg-ping.$id /tmp/cyg-encap.$id.*
exit "$failed"
