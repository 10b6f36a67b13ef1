#!/bin/bash
# IKE_SA_INIT responder throughput, Cygnet against strongSwan in the same
# run: bench_ike_init (the load generator) in one network namespace,
# the responder in another, joined by a veth (documentation addresses).
# Per DH group it alternates rounds of cygnet-ike (with cygnet-authority
# for the CERTREQ key ids) and charon-systemd with the same connection
# (aes256-sha256-<group>, certificate auth, CERTREQ for the one CA), and
# prints per group:
#   ike_sa_init ECP_256: cygnet N/s, strongswan M/s, ratio R (cygnet/strongswan)
# N and M are the median rates over the rounds, R the median of the
# per-round ratios (see paired_ratio); then latency p50/p99 of the round
# with the median rate, and the responder's CPU time (user + system, all
# threads, from /proc) per answered IKE_SA_INIT over all rounds, with the
# ratio strongswan/cygnet (above 1: cygnet does less work per request).
# The CPU figure shows the work per request apart from how many cores a
# responder can use.
#
# Fairness:
# - Every answered IKE_SA_INIT leaves a half-open IKE_SA behind on both
#   responders (nothing completes IKE_AUTH).  Cygnet refuses new ones at
#   1000 half-open SAs (they expire after 30 s), so a round sends at most
#   BENCH_IKE_COUNT (950) requests to a freshly started responder, and
#   both responders are restarted for every round alike (charon's own
#   global limit, init_limit_half_open, is off by default).
# - Both responders' DoS protection would answer with COOKIEs after 10
#   half-open SAs and drop a source address after 5: cookie_threshold
#   (and charon's cookie_threshold_ip) and block_threshold are set far above
#   a round.
#   Requests also come from 8 source addresses and 16 source ports.
# - The generator keeps at most BENCH_IKE_WINDOW (16) requests outstanding;
#   an unanswered request counts as lost after 1 s and frees its slot.
# - Both log at level 1 to a file, one write per line (charon flush_line).
# - Threads: charon runs its default 16 worker threads; cygnet-ike does
#   IKE_SA_INIT's DH and key derivation on its crypto pool (default
#   crypto_threads: one per online CPU).
#   Both share the machine's cores with the generator; on a loaded
#   machine the scheduler shares CPU per runnable thread, which favours
#   charon's many threads further.
# - The work differs: charon 5.9.8 answers with its KE value and defers
#   g^ir and the IKE key derivation until IKE_AUTH arrives (uprobes on
#   libcrypto counted no EVP_PKEY_derive, ECDH_compute_key or
#   DH_compute_key call in charon over a round; cygnet-ike made one per
#   request).  cygnet-ike derives both before it answers.  The figures
#   compare answering IKE_SA_INIT, not whole IKE_SA setups.
#
# usage: ike-init.sh BUILD_DIR   (BUILD_DIR/bin and BUILD_DIR/tests/bench)
# Environment: BENCH_IKE_ROUNDS (5), BENCH_IKE_COUNT (950),
#   BENCH_IKE_WINDOW (16), BENCH_IKE_GROUPS ("ecp256 modp2048 x25519"),
#   BENCH_IKE_CHARON_THREADS (charon.threads; unset: charon's default 16),
#   BENCH_IKE_NICE (-10: responders and generator run at this nice value,
#   so other work on the machine disturbs the rounds less),
#   CYGNET_TEST_CACHE (mkpki key cache, default /var/cache/cygnet-test).
# Logs of the last run stay in BUILD_DIR/bench-logs/ike-init.
set -u
build=${1:?usage: ike-init.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/bin
gen=$build/tests/bench/bench_ike_init
rounds=${BENCH_IKE_ROUNDS:-5}
count=${BENCH_IKE_COUNT:-950}
window=${BENCH_IKE_WINDOW:-16}
group_list=${BENCH_IKE_GROUPS:-ecp256 modp2048 x25519}
charon_threads=${BENCH_IKE_CHARON_THREADS:-}
nice=${BENCH_IKE_NICE:--10}
resp_addr=192.0.2.1
sources="192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 192.0.2.7 192.0.2.8 192.0.2.9"
source_args=()
for a in $sources; do
	source_args+=(--source "$a")
done

die() {
	echo "ike-init: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for f in "$gen" "$bin/cygnet-ike" "$bin/cygnet-authority" /usr/sbin/charon-systemd; do
	[ -x "$f" ] || die "missing $f"
done
command -v swanctl >/dev/null || die "missing swanctl"

ns_resp=bench-$$-resp
ns_init=bench-$$-init
work=$(mktemp -d /tmp/cygnet-bench-ike.XXXXXX)
logs=$build/bench-logs/ike-init
rm -rf "$logs"
mkdir -p "$logs" "$work/results"

# ---- processes and cleanup (by PID, only what we started) -------------------

pids=""

# True while PID is our unreaped child (a reaped PID may be someone else's).
our_child() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	set -- ${stat##*) }
	[ "$2" = "$$" ]
}

stop_pid() {
	local pid=$1
	our_child "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		our_child "$pid" && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
		sleep 0.1
	done
	our_child "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in $pids; do
		stop_pid "$pid"
	done
	ip netns del "$ns_resp" 2>/dev/null
	ip netns del "$ns_init" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "ike-init: interrupted" >&2; exit 1' INT TERM

# spawn LOG CMD...: starts CMD in the responder namespace; PID in $spawned.
spawn() {
	local log=$1
	shift
	nice -n "$nice" ip netns exec "$ns_resp" "$@" >>"$log" 2>&1 </dev/null &
	spawned=$!
	pids="$pids $spawned"
}

wait_path() {
	local path=$1 pid=$2
	for _ in $(seq 300); do
		[ -e "$path" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# utime + stime of a process in clock ticks.
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# ---- network ----------------------------------------------------------------

setup_net() {
	local a
	ip -batch - <<EOF || return 1
netns add $ns_resp
netns add $ns_init
link add bench-init netns $ns_resp type veth peer name bench-resp netns $ns_init
EOF
	ip -n "$ns_resp" -batch - <<EOF || return 1
link set lo up
link set bench-init up
addr add $resp_addr/24 dev bench-init
EOF
	{
		echo "link set lo up"
		echo "link set bench-resp up"
		for a in $sources; do
			echo "addr add $a/24 dev bench-resp"
		done
	} | ip -n "$ns_init" -batch - || return 1
}
setup_net >"$logs/setup-net.txt" 2>&1 || die "network setup failed (see $logs/setup-net.txt)"

# ---- credentials and configs ------------------------------------------------

pki=$work/pki
cache=${CYGNET_TEST_CACHE:-/var/cache/cygnet-test}
"$top/deploy/pki/mkpki" "$pki" --key-cache "$cache/pki-keys" \
	--gateway vpn.example.org >"$logs/mkpki.log" 2>&1 ||
	die "mkpki failed (see $logs/mkpki.log)"

# The same swanctl.conf text for both: every benchmarked group.
connections() {
	local g props=""
	for g in $group_list; do
		props="$props${props:+, }aes256-sha256-$g"
	done
	cat <<EOF
connections {
	bench {
		version = 2
		proposals = $props
		local {
			auth = pubkey
			certs = vpn.example.org.pem
			id = vpn.example.org
		}
		remote {
			auth = pubkey
			cacerts = ca.pem
		}
		children {
			bench {
				local_ts = 0.0.0.0/0
				esp_proposals = aes256-sha256
			}
		}
	}
}
EOF
}

# swanctl layout of the gateway's credentials under DIR (KEYDIR for the key).
credentials() {
	mkdir -p "$1/x509ca" "$1/x509" "$1/$2"
	cp "$pki/ca/ca.pem" "$1/x509ca/"
	cp "$pki/vpn.example.org/x509/vpn.example.org.pem" "$1/x509/"
	cp "$pki/vpn.example.org/ecdsa/vpn.example.org.key" "$1/$2/"
}

cyg=$work/cygnet
mkdir -p "$cyg/run" "$cyg/crls"
credentials "$cyg/swanctl" private
{
	connections
	cat <<EOF
cygnet {
	runtime_dir = $cyg/run
	authority {
		swanctl_dir = $cyg/swanctl
		crl_cache_dir = $cyg/crls
	}
	ike {
		cookie_threshold = 1000000
		block_threshold = 1000000
	}
}
EOF
} >"$cyg/cygnet.conf"

ss=$work/strongswan
credentials "$ss/swanctl" ecdsa
connections >"$ss/swanctl/swanctl.conf"
cat >"$ss/strongswan.conf" <<EOF
charon-systemd {
	load_modular = no
	load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey kdf vici kernel-netlink socket-default
	cookie_threshold = 1000000
	cookie_threshold_ip = 1000000
	block_threshold = 1000000
	${charon_threads:+threads = $charon_threads}
	journal {
		default = -1
	}
	filelog {
		charon {
			path = $logs/charon.log
			append = yes
			flush_line = yes
			default = 1
		}
	}
	plugins {
		vici {
			socket = unix://$ss/charon.vici
		}
		kernel-netlink {
			roam_events = no
		}
	}
}
swanctl {
	load = pem pkcs1 pkcs8 x509 pubkey openssl random
}
EOF

# ---- responders ---------------------------------------------------------------

# cygnet-authority runs for the whole bench (it only answers the CERTREQ
# key ids, cached by cygnet-ike); cygnet-ike starts fresh every round.
spawn "$logs/cygnet-authority.log" "$bin/cygnet-authority" --config "$cyg/cygnet.conf"
authority_pid=$spawned
wait_path "$cyg/run/authority.rpc" "$authority_pid" ||
	die "cygnet-authority did not start (see $logs/cygnet-authority.log)"

start_cygnet() {
	rm -f "$cyg/run/ike.rpc"
	spawn "$logs/cygnet-ike.log" "$bin/cygnet-ike" --config "$cyg/cygnet.conf"
	resp_pids="$spawned $authority_pid"
	stop_pids=$spawned
	wait_path "$cyg/run/ike.rpc" "$spawned"
}

start_strongswan() {
	rm -f "$ss/charon.vici"
	STRONGSWAN_CONF=$ss/strongswan.conf spawn "$logs/charon.out" /usr/sbin/charon-systemd
	resp_pids=$spawned
	stop_pids=$spawned
	wait_path "$ss/charon.vici" "$spawned" &&
		STRONGSWAN_CONF=$ss/strongswan.conf SWANCTL_DIR=$ss/swanctl \
			swanctl --load-all --uri "unix://$ss/charon.vici" >>"$logs/swanctl.log" 2>&1
}

total_ticks() {
	local pid sum=0
	for pid in $resp_pids; do
		sum=$((sum + $(cpu_ticks "$pid")))
	done
	echo "$sum"
}

# round IMPL GROUP: one fresh responder, one generator run; appends
# "rate p50 p99 cpu_us valid lost invalid certreq gen_cpu_us" to
# results/IMPL-GROUP.
round() {
	local impl=$1 group=$2 out before after pid
	"start_$impl" || die "$impl did not start (see $logs)"
	before=$(total_ticks)
	out=$(nice -n "$nice" ip netns exec "$ns_init" "$gen" --target "$resp_addr" --group "$group" \
		"${source_args[@]}" \
		--count "$count" --window "$window" 2>&1)
	after=$(total_ticks)
	for pid in $stop_pids; do
		stop_pid "$pid"
	done
	echo "$impl $out" >>"$logs/rounds.txt"
	case $out in
	result*) ;;
	*) die "generator against $impl ($group): $out" ;;
	esac
	echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { printf "%s %s %s %.0f %s %s %s %s %s\n", v["rate"], v["p50_ms"],
			v["p99_ms"], v["valid"] ? ticks / hz * 1e6 / v["valid"] : 0,
			v["valid"], v["lost"], v["invalid"], v["certreq"], v["gen_cpu_us"] }' \
		>>"$work/results/$impl-$group"
}

# The round with the median rate: "rate p50 p99 cpu ..." of that round.
median_round() {
	sort -g -k1,1 "$1" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'
}

# paired_ratio A B COLUMN: the median over rounds of A's value / B's value
# in the same round.  Rounds alternate cygnet and strongSwan, so a pair
# saw about the same load from the rest of the machine; the median of
# the pairs' ratios is steadier than the ratio of the median rates.
paired_ratio() {
	paste -d' ' "$1" "$2" | awk -v c="$3" '{ n = NF / 2; if ($(n + c) > 0) print $c / $(n + c) }' |
		sort -g | awk '{ v[NR] = $1 } END { printf "%.2f\n", NR ? v[int((NR + 1) / 2)] : 0 }'
}

# Responder CPU over all rounds per answered request (a round's CPU is
# counted in 10 ms ticks: the sum is finer than any one round).
cpu_per_request() {
	awk '{ cpu += $4 * $5; n += $5 } END { printf "%.0f\n", n ? cpu / n : 0 }' "$1"
}

echo "ike_sa_init: $rounds rounds per responder and group, $count requests each," \
	"window $window, 8 source addresses x 16 ports; load average: $(cut -d' ' -f1-3 /proc/loadavg)," \
	"$(nproc) CPUs"
echo "  charon: ${charon_threads:-its default 16} worker threads; cygnet-ike: IKE_SA_INIT crypto on $(nproc) pool threads"
echo "  charon defers g^ir and the key derivation to IKE_AUTH, cygnet-ike does both before answering"
for group in $group_list; do
	for _ in $(seq "$rounds"); do
		round cygnet "$group"
		round strongswan "$group"
	done
	name=$(grep -o "group=[A-Z_0-9]*" "$logs/rounds.txt" | tail -n 1 | cut -d= -f2)
	read -r c_rate c_p50 c_p99 _ _ _ _ c_creq c_gen <<<"$(median_round "$work/results/cygnet-$group")"
	read -r s_rate s_p50 s_p99 _ _ _ _ s_creq s_gen <<<"$(median_round "$work/results/strongswan-$group")"
	c_lost_all=$(awk '{ n += $6 + $7 } END { print n + 0 }' "$work/results/cygnet-$group")
	s_lost_all=$(awk '{ n += $6 + $7 } END { print n + 0 }' "$work/results/strongswan-$group")
	printf 'ike_sa_init %s: cygnet %.0f/s, strongswan %.0f/s, ratio %.2f (cygnet/strongswan)\n' \
		"$name" "$c_rate" "$s_rate" "$(paired_ratio "$work/results/cygnet-$group" "$work/results/strongswan-$group" 1)"
	c_cpu=$(cpu_per_request "$work/results/cygnet-$group")
	s_cpu=$(cpu_per_request "$work/results/strongswan-$group")
	printf '  latency p50/p99: cygnet %s/%s ms, strongswan %s/%s ms; responder CPU per IKE_SA_INIT: cygnet %s us, strongswan %s us, strongswan/cygnet %.2f (generator: %s, %s us per request)\n' \
		"$c_p50" "$c_p99" "$s_p50" "$s_p99" "$c_cpu" "$s_cpu" \
		"$(awk -v a="$s_cpu" -v b="$c_cpu" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$c_gen" "$s_gen"
	printf '  rates per round: cygnet %s; strongswan %s; lost or invalid: cygnet %s, strongswan %s; CERTREQ in responses: cygnet %s, strongswan %s\n' \
		"$(awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }' "$work/results/cygnet-$group")" \
		"$(awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }' "$work/results/strongswan-$group")" \
		"$c_lost_all" "$s_lost_all" "$([ "${c_creq:-0}" -gt 0 ] && echo yes || echo no)" \
		"$([ "${s_creq:-0}" -gt 0 ] && echo yes || echo no)"
done
