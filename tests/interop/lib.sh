# Library for the namespace scenarios (bash).  A scenario is a script
# tests/interop/scenarios/NN-name.sh that run-all starts with bash; it
# sources this file, calls cyg_begin, builds what it needs and reports
# every check as a line "PASS name" or "FAIL name: why".  Scenarios run on
# the host (strongSwan peers use userspace ESP there) and again in the qemu
# guest on kernel ESP (tests/vm/run-all); one whose gateway needs kernel
# ESP (Cygnet's kernel service) carries the line "# cyg: needs kernel-esp"
# and runs in the guest only.
#
#   . "$CYG_TOP/tests/interop/lib.sh"
#   cyg_begin                       namespaces, trap, scenario dirs
#   cyg_start_web                   busybox httpd serving the CRL
#   cyg_charon_conf gw|client       write strongswan.conf for that side
#   cyg_start_charon gw|client      start charon-systemd in its namespace
#   cyg_swanctl gw|client ARGS...   swanctl against that side's vici socket
#   cyg_cygnet_setup CONF / cyg_start_cygnet / cyg_stop_cygnet / cyg_ctl ARGS
#                                   the four Cygnet services in the gw namespace
#   cyg_capture_start / cyg_capture_wait / cyg_capture_check NAME [EXPECTED]
#   cyg_check NAME CMD...           PASS when CMD succeeds
#   cyg_assert_log NAME FILE PATTERN...   every fixed string is in FILE
#   cyg_assert_shape NAME FILE REGEX...   line N of FILE matches REGEX N
#   cyg_eap_start GW_CONF [TLS_MAX [CONNS]]  web, Cygnet and the seed's client
#   cyg_eap_client_conn NAME USER [EAP_ID]  an EAP-TLS client connection
#
# Topology (documentation addresses only):
#
#   client ns                gw ns                       web ns
#   cyg-gw 192.0.2.2  ---  cyg-cli 192.0.2.1
#          2001:db8:2::2           2001:db8:2::1
#                              cyg-web 203.0.113.1  ---  cyg-gw 203.0.113.80
#                                      2001:db8:3::1            2001:db8:3::80
#   virtual IP pools: 198.51.100.64/26 and 2001:db8:64::/122
#   CRL: http://203.0.113.80/ca.crl (busybox httpd in the web ns)
#
# Environment from run-all: CYG_TOP (repository), CYG_PKI (mkpki output),
# CYG_LOGS (this scenario's log dir, kept), CYG_WORK (scratch dir, removed),
# CYG_ID (unique per scenario run: namespace names), CYG_ESP (kernel when
# the kernel has ESP, libipsec when not), CYGNET_BIN (Cygnet binaries).

CYG_GW_ADDR=192.0.2.1
CYG_GW_ADDR6=2001:db8:2::1
CYG_CLIENT_ADDR=192.0.2.2
CYG_CLIENT_ADDR6=2001:db8:2::2
CYG_GW_INNER=203.0.113.1
CYG_GW_INNER6=2001:db8:3::1
CYG_WEB_ADDR=203.0.113.80
CYG_WEB_ADDR6=2001:db8:3::80
CYG_POOL4=198.51.100.64/26
CYG_POOL6=2001:db8:64::/122
CYG_CRL_URI=http://$CYG_WEB_ADDR/ca.crl

cyg_passed=0
cyg_failed=0

cyg_pass() {
	echo "PASS $1"
	cyg_passed=$((cyg_passed + 1))
}

cyg_fail() {
	echo "FAIL $1: $2"
	cyg_failed=$((cyg_failed + 1))
}

cyg_pid_note() {
	echo "$1" >>"$CYG_WORK/pids"
}

# True while PID is a process this scenario started and has not reaped: a
# reaped PID may already belong to someone else.
cyg_our_child() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	set -- ${stat##*) }
	[ "$2" = "$$" ]
}

# cyg_signal SIG: sends SIG to every process we started that still runs;
# true when there was one.
cyg_signal() {
	local pid any=1
	while read -r pid; do
		cyg_our_child "$pid" || continue
		kill "-$1" "$pid" 2>/dev/null
		any=0
	done <"$CYG_WORK/pids"
	return $any
}

# Ends every process we started (by PID) and removes our namespaces.
cyg_cleanup() {
	local ns
	trap - EXIT INT TERM
	if [ -f "$CYG_WORK/pids" ]; then
		cyg_signal TERM
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			cyg_signal 0 || break
			sleep 0.2
		done
		cyg_signal KILL
		rm -f "$CYG_WORK/pids"
	fi
	for ns in client gw web; do
		ip netns del "cyg-$CYG_ID-$ns" 2>/dev/null
	done
	[ "${CYG_KEEP_WORK:-}" = 1 ] || rm -rf "$CYG_WORK"
}

# Everything a scenario reports goes to stdout; the counts decide the
# exit status so run-all can also catch a scenario that died early.
cyg_end() {
	cyg_cleanup
	[ "$cyg_failed" -eq 0 ] && [ "$cyg_passed" -gt 0 ]
	exit $?
}

cyg_begin() {
	: "${CYG_TOP:?} ${CYG_PKI:?} ${CYG_LOGS:?} ${CYG_WORK:?} ${CYG_ID:?}"
	: "${CYG_ESP:=libipsec}"
	mkdir -p "$CYG_LOGS" "$CYG_WORK"
	trap 'cyg_fail "$(basename "$0" .sh)" "interrupted"; cyg_end' INT TERM
	trap 'cyg_cleanup' EXIT
	if ! cyg_setup_net >"$CYG_LOGS/setup-net.txt" 2>&1; then
		cyg_fail setup-net "$(tail -n 2 "$CYG_LOGS/setup-net.txt" | tr '\n' ' ')"
		cyg_end
	fi
}

cyg_setup_net() {
	local gw client web
	gw=cyg-$CYG_ID-gw; client=cyg-$CYG_ID-client; web=cyg-$CYG_ID-web
	ip -batch - <<EOF || return 1
netns add $gw
netns add $client
netns add $web
link add cyg-cli netns $gw type veth peer name cyg-gw netns $client
link add cyg-web netns $gw type veth peer name cyg-gw netns $web
EOF
	ip -n "$gw" -batch - <<EOF || return 1
link set lo up
link set cyg-cli up
link set cyg-web up
addr add $CYG_GW_ADDR/24 dev cyg-cli
addr add $CYG_GW_ADDR6/64 dev cyg-cli nodad
addr add $CYG_GW_INNER/24 dev cyg-web
addr add $CYG_GW_INNER6/64 dev cyg-web nodad
route add default via $CYG_CLIENT_ADDR
route add default via $CYG_CLIENT_ADDR6
EOF
	cyg_setup_leaf "$client" "$CYG_CLIENT_ADDR" "$CYG_CLIENT_ADDR6" \
		"$CYG_GW_ADDR" "$CYG_GW_ADDR6" || return 1
	cyg_setup_leaf "$web" "$CYG_WEB_ADDR" "$CYG_WEB_ADDR6" \
		"$CYG_GW_INNER" "$CYG_GW_INNER6" || return 1
	ip netns exec "$gw" sh -c \
		'echo 1 >/proc/sys/net/ipv4/ip_forward && echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
}

# cyg_setup_leaf NS ADDR ADDR6 VIA VIA6: the client or web namespace, its
# one link cyg-gw to the gateway, the gateway's side as default route.
cyg_setup_leaf() {
	ip -n "$1" -batch - <<EOF
link set lo up
link set cyg-gw up
addr add $2/24 dev cyg-gw
addr add $3/64 dev cyg-gw nodad
route add default via $4
route add default via $5
EOF
}

# Runs a command in a namespace (gw, client or web).
cyg_in() {
	local ns=$1; shift
	ip netns exec "cyg-$CYG_ID-$ns" "$@"
}

# Starts a command in a namespace in the background and remembers its PID
# (ip netns exec execs the command, so $! is the command itself).
cyg_spawn() {
	local ns=$1 log=$2; shift 2
	ip netns exec "cyg-$CYG_ID-$ns" "$@" >>"$log" 2>&1 </dev/null &
	cyg_pid_note $!
	CYG_LAST_PID=$!
}

# cyg_wait_path PATH [SECONDS [PID]]: waits up to SECONDS (default 10) for
# PATH to exist; gives up at once when process PID (that should create it)
# is gone.
cyg_wait_path() {
	local path=$1 tries=$((${2:-10} * 20)) pid=${3:-}
	while [ "$tries" -gt 0 ]; do
		[ -e "$path" ] && return 0
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

cyg_start_web() {
	mkdir -p "$CYG_WORK/www"
	cp "$CYG_PKI/crl/ca.crl" "$CYG_WORK/www/ca.crl"
	cyg_spawn web "$CYG_LOGS/httpd.log" busybox httpd -f -vv \
		-p "$CYG_WEB_ADDR:80" -h "$CYG_WORK/www"
}

# ---- strongSwan -------------------------------------------------------------

# A side's config dir is $CYG_WORK/SIDE: strongswan.conf, swanctl/
# (SWANCTL_DIR) and the vici socket charon.vici.  (Paths are spelled out
# instead of computed in $(...): every fork costs under TCG.)

# The kernel interface: real XFRM where the kernel has ESP, otherwise
# userspace ESP over a TUN device (UDP-encapsulated ESP only).
cyg_kernel_plugins() {
	if [ "$CYG_ESP" = kernel ]; then
		echo "kernel-netlink"
	else
		echo "kernel-libipsec kernel-netlink"
	fi
}

# cyg_charon_conf SIDE [EXTRA_SETTINGS]: strongswan.conf for one side.
# EXTRA_SETTINGS go inside the charon-systemd { } section.
cyg_charon_conf() {
	local side=$1 extra=${2:-} dir
	dir=$CYG_WORK/$side
	mkdir -p "$dir/swanctl"
	cat >"$dir/strongswan.conf" <<EOF
charon-systemd {
	load_modular = no
	load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey curl kdf vici $(cyg_kernel_plugins) socket-default attr eap-identity eap-tls
	install_virtual_ip = yes
	journal {
		default = -1
	}
	filelog {
		charon {
			path = $CYG_LOGS/charon-$side.log
			time_format = %H:%M:%S
			ike_name = yes
			append = no
			flush_line = yes
			default = 1
		}
	}
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
		kernel-netlink {
			roam_events = no
		}
	}
	$extra
}
swanctl {
	load = pem pkcs1 pkcs8 x509 revocation constraints pubkey openssl random
}
EOF
}

# cyg_swanctl_dir SIDE ENTITY...: SWANCTL_DIR with the CA and the PKI
# entities' certs and keys (mkpki layout).
cyg_swanctl_dir() {
	local side=$1 dir e sub
	shift
	dir=$CYG_WORK/$side/swanctl
	mkdir -p "$dir/x509ca" "$dir/x509" "$dir/rsa" "$dir/ecdsa"
	cp "$CYG_PKI/ca/ca.pem" "$dir/x509ca/ca.pem"
	for e in "$@"; do
		for sub in x509 rsa ecdsa; do
			[ -d "$CYG_PKI/$e/$sub" ] && cp "$CYG_PKI/$e/$sub/"* "$dir/$sub/"
		done
	done
	return 0
}

# Starts charon-systemd for SIDE, waits for its vici socket and loads
# swanctl.conf.  Fails the scenario check "charon-SIDE" otherwise.
cyg_start_charon() {
	local side=$1 dir
	dir=$CYG_WORK/$side
	rm -f "$dir/charon.vici"
	STRONGSWAN_CONF=$dir/strongswan.conf cyg_spawn "$side" \
		"$CYG_LOGS/charon-$side.out" /usr/sbin/charon-systemd
	if ! cyg_wait_path "$dir/charon.vici" 15 "$CYG_LAST_PID"; then
		cyg_fail "charon-$side" "no vici socket (exited or 15 s passed; see charon-$side.out and .log)"
		return 1
	fi
	if ! cyg_swanctl "$side" --load-all >"$CYG_LOGS/swanctl-$side-load.txt" 2>&1; then
		cyg_fail "charon-$side" "swanctl --load-all failed: $(tail -n 1 "$CYG_LOGS/swanctl-$side-load.txt")"
		return 1
	fi
	return 0
}

# swanctl talks to the vici socket, so it needs no namespace.
# usage: cyg_swanctl SIDE --command [options]
cyg_swanctl() {
	local side=$1 cmd=$2 dir
	shift 2
	dir=$CYG_WORK/$side
	STRONGSWAN_CONF=$dir/strongswan.conf SWANCTL_DIR=$dir/swanctl \
		swanctl "$cmd" --uri "unix://$dir/charon.vici" "$@"
}

# ---- the seed scenario's configs --------------------------------------------

# swanctl.conf of the seed's gateway: `win` (machine certificates) and
# `eap-tls` (EAP-TLS user certificates), IPv4 and IPv6 pools.  Cygnet's
# gateway reads the same text.  An argument adds settings (e.g. dns) to
# the IPv4 pool.
cyg_seed_gateway_conf() {
	cat <<EOF
connections {
	win {
		version = 2
		proposals = aes256-sha256-modp2048, default
		reauth_time = 10800s
		rekey_time = 0s
		pools = ipv4, ipv6
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
			win {
				local_ts = 0.0.0.0/0, ::/0
				esp_proposals = aes256-sha1, default
			}
		}
	}
	eap-tls {
		version = 2
		proposals = aes256-sha256-modp2048, default
		reauth_time = 10800s
		rekey_time = 0s
		pools = ipv4, ipv6
		send_certreq = yes
		local {
			auth = pubkey
			certs = vpn.example.org.pem
			id = vpn.example.org
		}
		remote {
			auth = eap-tls
			eap_id = %any
			cacerts = ca.pem
		}
		children {
			eap-tls {
				local_ts = 0.0.0.0/0, ::/0
				esp_proposals = aes256-sha1, default
			}
		}
	}
}
pools {
	ipv4 {
		addrs = $CYG_POOL4
		${1:-}
	}
	ipv6 {
		addrs = $CYG_POOL6
	}
}
EOF
}

# One client connection: NAME, local auth block.
cyg_client_conn() {
	cat <<EOF
	$1 {
		version = 2
		remote_addrs = $CYG_GW_ADDR
		vips = 0.0.0.0, ::
		encap = yes
		fragmentation = yes
		proposals = aes256-sha256-modp2048
		local {
$2
		}
		remote {
			auth = pubkey
			id = vpn.example.org
		}
		children {
			$1 {
				remote_ts = 0.0.0.0/0, ::/0
				esp_proposals = aes256-sha1
			}
		}
	}
EOF
}

# cyg_eap_client_conn NAME USER [EAP_ID]: a client connection
# authenticating with EAP-TLS and the certificate of USER (an e-mail
# address, mkpki's USER.pem) as EAP identity EAP_ID (default USER).
cyg_eap_client_conn() {
	cyg_client_conn "$1" "			auth = eap-tls
			id = $CYG_CLIENT_ADDR
			certs = $2.pem
			eap_id = ${3:-$2}"
}

# An argument adds connections (cyg_client_conn text).
cyg_seed_client_conf() {
	echo "connections {"
	cyg_eap_client_conn eap alice@example.org
	cyg_eap_client_conn revoked mallory@example.org
	cyg_client_conn machine "			auth = pubkey
			certs = pc1.example.org.pem"
	[ -z "${1:-}" ] || echo "$1"
	echo "}"
}

# The client side of the seed: a Windows-like strongSwan with connections
# `eap` (alice, EAP-TLS), `revoked` (mallory, revoked in the CRL) and
# `machine` (pc1, machine certificate).  TLS_VERSION_MAX (default 1.2)
# is the highest TLS version of the client's EAP-TLS; CONNECTIONS are
# more connections (cyg_client_conn text).  carol's (expired) and dave's
# (from a foreign CA) credentials are there too when the PKI has them; the
# foreign CA is not (the seed's 52 unknown CAs stay 52).
cyg_seed_client_setup() {
	# Windows-like: 580-byte IKE fragments, no RFC 7427 signature notify (so the
	# gateway signs with classic ECDSA-256), TLS 1.2, 52 more CAs to request.
	# EAP-TLS fragments of 1150 bytes split alice's TLS flight so that, as in
	# the seed, IKE_AUTH requests 1, 5 and 6 are fragmented (3, 3, 2 parts).
	cyg_charon_conf client "fragment_size = 624
		signature_authentication = no
		tls {
			version_max = ${1:-1.2}
		}
		plugins {
			eap-tls {
				fragment_size = 1150
			}
		}"
	cyg_swanctl_dir client alice@example.org mallory@example.org pc1.example.org \
		carol@example.org dave@example.org
	cp "$CYG_PKI"/extra-cas/*.pem "$CYG_WORK/client/swanctl/x509ca/"
	cyg_seed_client_conf "${2:-}" >"$CYG_WORK/client/swanctl/swanctl.conf"
}

# cyg_eap_start GATEWAY_CONF [TLS_VERSION_MAX [CONNECTIONS]]: the CRL web
# server, Cygnet with GATEWAY_CONF and the seed's client
# (cyg_seed_client_setup); ends the scenario if something does not start.
cyg_eap_start() {
	cyg_start_web
	cyg_cygnet_setup "$1"
	cyg_seed_client_setup "${2:-}" "${3:-}"
	cyg_start_cygnet || cyg_end
	cyg_start_charon client || cyg_end
}

# ---- Cygnet as the initiator -------------------------------------------------
# Cygnet (gw, vpn.example.org, ECDSA) brings up `sw` to a strongSwan
# responder (client namespace, pc1.example.org, RSA); the gateway's inner
# network (the web namespace) is Cygnet's side of the tunnel.
CYG_SW_PEER_ID="C=CH, O=Cygnet Test, CN=pc1.example.org"
CYG_SW_INNER_NET=203.0.113.0/24

# cyg_sw_initiator_conf IKE_PROPOSALS ESP_PROPOSALS [CHILD_SETTINGS
# [CONN_SETTINGS [LOCAL_TS]]]: the connections { } text of Cygnet's `sw`
# (DPD every 2 s; LOCAL_TS defaults to the inner network).
cyg_sw_initiator_conf() {
	cat <<EOF
connections {
	sw {
		version = 2
		local_addrs = $CYG_GW_ADDR
		remote_addrs = $CYG_CLIENT_ADDR
		proposals = $1
		dpd_delay = 2s
		${4:-}
		local {
			auth = pubkey
			certs = vpn.example.org.pem
			id = vpn.example.org
		}
		remote {
			auth = pubkey
			id = $CYG_SW_PEER_ID
			cacerts = ca.pem
		}
		children {
			sw {
				local_ts = ${5:-$CYG_SW_INNER_NET}
				esp_proposals = $2
				${3:-}
			}
		}
	}
}
EOF
}

# cyg_sw_responder_setup [REMOTE_TS [CONN_SETTINGS [SECTIONS]]]: the
# strongSwan responder for `sw` in the client namespace (MODP_2048 only,
# NAT-T forced, aes256-sha1 for ESP); its child's remote_ts (default
# $CYG_SW_INNER_NET), more connection settings (pools = ...) and more
# top-level sections (pools { }).
cyg_sw_responder_setup() {
	cyg_charon_conf client
	cyg_swanctl_dir client pc1.example.org
	cat >"$CYG_WORK/client/swanctl/swanctl.conf" <<EOF
connections {
	cygnet {
		version = 2
		local_addrs = $CYG_CLIENT_ADDR
		remote_addrs = $CYG_GW_ADDR
		proposals = aes256-sha256-modp2048
		encap = yes
		${2:-}
		local {
			auth = pubkey
			certs = pc1.example.org.pem
		}
		remote {
			auth = pubkey
			id = vpn.example.org
		}
		children {
			cygnet {
				remote_ts = ${1:-$CYG_SW_INNER_NET}
				esp_proposals = aes256-sha1
			}
		}
	}
}
${3:-}
EOF
}

# ---- Cygnet -----------------------------------------------------------------

CYG_CYGNET_DIR=$CYG_WORK/cygnet
CYG_CYGNET_CONF=$CYG_CYGNET_DIR/cygnet.conf
# In the order they depend on each other (as deploy/run-demo starts them).
CYG_SERVICES="pool kernel authority ike"

# cyg_cygnet_setup CONNECTIONS_AND_POOLS: cygnet.conf with that swanctl.conf
# text plus a cygnet { } section keeping every socket, state and cache in
# the scenario's own dir (concurrent runs never share one), and the
# gateway's credentials in swanctl layout for the authority.
cyg_cygnet_setup() {
	local dir
	dir=$CYG_CYGNET_DIR
	mkdir -p "$dir/run" "$dir/crls" "$dir/pool" "$dir/swanctl/x509ca" \
		"$dir/swanctl/x509" "$dir/swanctl/private"
	cp "$CYG_PKI/ca/ca.pem" "$dir/swanctl/x509ca/"
	cp "$CYG_PKI/vpn.example.org/x509/vpn.example.org.pem" "$dir/swanctl/x509/"
	cp "$CYG_PKI/vpn.example.org/ecdsa/vpn.example.org.key" "$dir/swanctl/private/"
	cat >"$CYG_CYGNET_CONF" <<EOF
$1
cygnet {
	runtime_dir = $dir/run
	authority {
		swanctl_dir = $dir/swanctl
		crl_cache_dir = $dir/crls
	}
	pool {
		state_dir = $dir/pool
	}
	ike {
		state_dir = $dir/ike
	}
}
EOF
}

# Starts the four services in the gw namespace, each once the one before
# listens on its RPC socket.  Fails the check "cygnet-start" otherwise.
cyg_start_cygnet() {
	local svc missing="" rt
	rt=$CYG_CYGNET_DIR/run
	for svc in $CYG_SERVICES; do
		[ -x "$CYGNET_BIN/cygnet-$svc" ] || missing="$missing cygnet-$svc"
	done
	[ -x "$CYGNET_BIN/cygnetctl" ] || missing="$missing cygnetctl"
	if [ -n "$missing" ]; then
		cyg_fail cygnet-start "missing binaries in $CYGNET_BIN:$missing"
		return 1
	fi
	for svc in $CYG_SERVICES; do
		cyg_spawn gw "$CYG_LOGS/cygnet-$svc.log" \
			"$CYGNET_BIN/cygnet-$svc" --config "$CYG_CYGNET_CONF"
		eval "CYG_PID_$svc=$CYG_LAST_PID"
		if ! cyg_wait_path "$rt/$svc.rpc" 15 "$CYG_LAST_PID"; then
			cyg_fail cygnet-start "cygnet-$svc has no RPC socket (exited or 15 s passed): $(tail -n 2 "$CYG_LOGS/cygnet-$svc.log" | tr '\n' ' ')"
			return 1
		fi
	done
	cyg_pass cygnet-start
}

# Stops the services in reverse order; PASS when each exits 0 on SIGTERM.
cyg_stop_cygnet() {
	local svc pid rc bad=""
	for svc in ike authority kernel pool; do
		eval "pid=\${CYG_PID_$svc:-}"
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 0 ] || bad="$bad cygnet-$svc=$rc"
	done
	if [ -n "$bad" ]; then
		cyg_fail cygnet-stop "exit status on SIGTERM:$bad"
	else
		cyg_pass cygnet-stop
	fi
}

cyg_ctl() {
	cyg_in gw "$CYGNET_BIN/cygnetctl" --config "$CYG_CYGNET_CONF" "$@"
}

# ---- packet capture -----------------------------------------------------------

# Captures on the gw's link to the client (all IKE and ESP-in-UDP).
# dumpcap takes seconds to start under TCG: start it early, set up the
# rest meanwhile, and cyg_capture_wait before the first packet.
cyg_capture_start() {
	CYG_PCAP=$CYG_LOGS/gw-client.pcapng
	rm -f "$CYG_PCAP"
	cyg_spawn gw "$CYG_LOGS/dumpcap.log" dumpcap -q -i cyg-cli -w "$CYG_PCAP"
	CYG_DUMPCAP_PID=$CYG_LAST_PID
}

cyg_capture_wait() {
	# dumpcap writes the file header once it captures.
	if ! cyg_wait_path "$CYG_PCAP" 20 "$CYG_DUMPCAP_PID"; then
		cyg_fail capture "dumpcap did not start (see dumpcap.log)"
		return 1
	fi
	sleep 0.3
}

# Stops the capture and dissects it (cyg_dissect).  When run-all was asked
# to leave dissection for later (CYG_DISSECT_LATER names a list file: the
# VM part, where tshark takes half a minute to start under TCG), records
# the capture there instead; tests/vm/run-all dissects it on the host.
cyg_capture_check() {
	local name=$1 expected=${2:-}
	# libpcap hands packets over in blocks retired after its read timeout;
	# dumpcap drops the open block on SIGINT, so let it retire first.
	sleep 1
	kill -INT "$CYG_DUMPCAP_PID" 2>/dev/null
	wait "$CYG_DUMPCAP_PID" 2>/dev/null
	if [ -n "${CYG_DISSECT_LATER:-}" ]; then
		printf '%s\t%s\t%s\n' "$name" "$CYG_PCAP" "$expected" >>"$CYG_DISSECT_LATER"
		echo "  $name: capture dissected on the host after the guest run"
		return 0
	fi
	cyg_dissect "$name" "$CYG_PCAP" "$expected"
}

# cyg_dissect NAME PCAP [EXPECTED]: fails NAME on any malformed or
# error-level expert info in the ISAKMP dissection, when no IKE packet was
# captured, or when EXPECTED (the IKE packets the gateway logged) differs.
cyg_dissect() {
	local name=$1 pcap=$2 expected=${3:-} text packets bad
	text=${pcap%.pcapng}.isakmp.txt
	tshark -r "$pcap" -V -Y isakmp >"$text" 2>&1
	packets=$(grep -c '^Internet Security Association and Key Management Protocol' "$text")
	bad=$(grep -E 'Malformed|Expert Info \(Error' "$text" | sort | uniq -c | head -n 3)
	if [ -n "$bad" ]; then
		cyg_fail "$name" "tshark: $(echo "$bad" | tr -s ' \n' ' ')"
	elif [ "$packets" -eq 0 ]; then
		cyg_fail "$name" "no ISAKMP packets captured"
	elif [ -n "$expected" ] && [ "$packets" -ne "$expected" ]; then
		cyg_fail "$name" "captured $packets ISAKMP packets, the gateway logged $expected"
	else
		cyg_pass "$name"
		echo "  $packets ISAKMP packets dissected cleanly"
	fi
}

# ---- assertions -----------------------------------------------------------------

# PASS when the command succeeds; its output goes to the scenario log.
cyg_check() {
	local name=$1 out=$CYG_LOGS/check-$1.txt
	shift
	if "$@" >"$out" 2>&1; then
		cyg_pass "$name"
	else
		cyg_fail "$name" "'$*' failed: $(tail -n 2 "$out" | tr '\n' ' ')"
	fi
}

# PASS when every fixed string is in FILE (one grep per string).
cyg_assert_log() {
	local name=$1 file=$2 pattern
	shift 2
	for pattern in "$@"; do
		if ! grep -qF -- "$pattern" "$file" 2>/dev/null; then
			cyg_fail "$name" "'$pattern' not in $(basename "$file")"
			return 1
		fi
	done
	cyg_pass "$name"
}

# Like cyg_assert_log for a string that must not appear.
# cyg_assert_shape NAME FILE REGEX...: line N of FILE matches extended
# regular expression N (whole line), and FILE has no more lines: output
# compared line by line with a reference's shape.
cyg_assert_shape() {
	local name=$1 file=$2 n=0 line
	shift 2
	while IFS= read -r line; do
		n=$((n + 1))
		if [ $# -eq 0 ]; then
			cyg_fail "$name" "line $n is extra: '$line' (see $(basename "$file"))"
			return
		fi
		if ! [[ $line =~ ^$1$ ]]; then
			cyg_fail "$name" "line $n '$line' does not match '$1' (see $(basename "$file"))"
			return
		fi
		shift
	done <"$file"
	if [ $# -gt 0 ]; then
		cyg_fail "$name" "$# lines missing after line $n, next '$1' (see $(basename "$file"))"
	else
		cyg_pass "$name"
	fi
}

cyg_assert_no_log() {
	local name=$1 file=$2 pattern=$3
	if grep -qF -- "$pattern" "$file" 2>/dev/null; then
		cyg_fail "$name" "'$pattern' in $(basename "$file")"
		return 1
	fi
	cyg_pass "$name"
}

# PASS when every CHILD_SA of SIDE counted packets both ways (swanctl
# --list-sas) and, with kernel ESP, every XFRM state in SIDE's namespace
# did too: traffic really went through ESP.
cyg_assert_esp_traffic() {
	local name=$1 side=$2 out=$CYG_LOGS/esp-traffic-$2.txt idle
	cyg_swanctl "$side" --list-sas >"$out" 2>&1
	if [ "$CYG_ESP" = kernel ]; then
		echo "--- ip -s xfrm state" >>"$out"
		cyg_in "$side" ip -s xfrm state >>"$out" 2>&1
	fi
	idle=$(awk '
		/^ +(in|out) +[0-9a-f]+, / && match($0, /[0-9]+ packets/) {
			n++; if (substr($0, RSTART, RLENGTH) + 0 == 0) bad = bad " " $1 " " $2 }
		/lifetime current:/ { getline; match($0, /[0-9]+\(packets\)/)
			n++; if (substr($0, RSTART, RLENGTH) + 0 == 0) bad = bad " xfrm-state" }
		END { if (n == 0) print "no SAs"; else print bad }' "$out")
	if [ -n "${idle// }" ]; then
		cyg_fail "$name" "no ESP packets on:$idle (see $(basename "$out"))"
	else
		cyg_pass "$name"
	fi
}

# Waits up to SECONDS for a fixed string to appear in FILE.
cyg_wait_log() {
	local file=$1 pattern=$2 tries=$((${3:-10} * 10))
	while [ "$tries" -gt 0 ]; do
		grep -qF -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}
