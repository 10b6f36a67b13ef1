#!/bin/bash
# Cygnet's gateway (the seed's `win` and `eap-tls` connections) against
# the Windows-like strongSwan client asking for EAP-TLS (alice's user
# certificate, fragmented IKE_AUTH requests, 52 extra CAs requested):
# the IKE_AUTH request without AUTH payload first selects `win`, whose
# public key authentication cannot serve it, Cygnet switches to
# `eap-tls`, asks for the EAP identity, relays EAP-TLS to the authority
# service and authenticates both sides with the MSK; the leases go to the
# EAP identity.  mallory's revoked certificate is refused by the
# authority in EAP-TLS (a TLS alert), the client gives up with
# AUTHENTICATION_FAILED and the IKE_SA is never established.  alice
# disconnects and reconnects to the same addresses.
# On a kernel without ESP the CHILD_SA fails as in scenario 30.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log

# reauth_time 10800s less a jitter below rand_time (= over_time, 1080s),
# the end over_time later; the client hears the time in AUTH_LIFETIME.
cyg_check_lifetimes() {
	local reauth max
	reauth=$(sed -n 's/.*scheduling reauthentication in \([0-9]*\)s$/\1/p' "$ike_log" | head -n 1)
	max=$(sed -n 's/.*maximum IKE_SA lifetime \([0-9]*\)s$/\1/p' "$ike_log" | head -n 1)
	if [ -n "$reauth" ] && [ -n "$max" ] && [ "$reauth" -gt 9720 ] &&
		[ "$reauth" -le 10800 ] && [ "$max" -eq $((reauth + 1080)) ]; then
		cyg_pass lifetimes
	else
		cyg_fail lifetimes "reauth '${reauth}' max '${max}' (see cygnet-ike.log)"
	fi
	cyg_assert_log client-auth-lifetime "$client_log" \
		"received AUTH_LIFETIME of ${reauth}s"
}

# The last IKE_AUTH response as charon orders it: CP with the pool's DNS,
# the CHILD_SA, AUTH_LIFETIME, MOBIKE and our other addresses
# (203.0.113.1, 2001:db8:2::1, 2001:db8:3::1), an error notify last.
cyg_check_last_auth_response() {
	local child="SA TSi TSr " failed=""
	[ "$CYG_ESP" = kernel ] || { child=""; failed=" N(NO_PROP)"; }
	cyg_assert_log peer-mobike "$ike_log" "peer supports MOBIKE"
	cyg_assert_log last-auth-response "$ike_log" \
		"generating IKE_AUTH response 8 [ AUTH CPRP(ADDR ADDR6 DNS) ${child}N(AUTH_LFT) N(MOBIKE_SUP) N(ADD_4_ADDR) N(ADD_6_ADDR) N(ADD_6_ADDR)${failed} ]"
}

# The seed's 9 request/response pairs of alice's IKE_SA (the IKE_SA_INIT,
# 8 IKE_AUTH), payload by payload; requests 1, 5 and 6 fragmented as
# there.  Request 1 is the strongSwan client's own (Windows asks for more
# attributes), the last response names our addresses.
cyg_check_exchanges() {
	local ex=$CYG_LOGS/alice-exchanges.txt tls=() child="SA TSi TSr " failed="" i
	sed -n '1,/generating IKE_AUTH response 8 /p' "$ike_log" |
		sed -n 's/^\[ENC\] \(\(parsed\|generating\) IKE_\(SA_INIT\|AUTH\) .*\)/\1/p' >"$ex"
	for i in 3 4 5 6 7; do
		[ "$i" = 5 ] && tls+=("parsed IKE_AUTH request 5 \[ EF\(1/3\) \]" \
			"parsed IKE_AUTH request 5 \[ EF\(2/3\) \]" \
			"parsed IKE_AUTH request 5 \[ EF\(3/3\) \]")
		[ "$i" = 6 ] && tls+=("parsed IKE_AUTH request 6 \[ EF\(1/2\) \]" \
			"parsed IKE_AUTH request 6 \[ EF\(2/2\) \]")
		tls+=("parsed IKE_AUTH request $i \[ EAP/RES/TLS \]")
		if [ "$i" = 7 ]; then
			tls+=("generating IKE_AUTH response 7 \[ EAP/SUCC \]")
		else
			tls+=("generating IKE_AUTH response $i \[ EAP/REQ/TLS \]")
		fi
	done
	[ "$CYG_ESP" = kernel ] || { child=""; failed=" N\(NO_PROP\)"; }
	cyg_assert_shape exchanges "$ex" \
		"parsed IKE_SA_INIT request 0 \[ SA KE No .* \]" \
		"generating IKE_SA_INIT response 0 \[ SA KE No N\(NATD_S_IP\) N\(NATD_D_IP\) CERTREQ N\(FRAG_SUP\) N\(CHDLESS_SUP\) N\(MULT_AUTH\) \]" \
		"parsed IKE_AUTH request 1 \[ EF\(1/3\) \]" \
		"parsed IKE_AUTH request 1 \[ EF\(2/3\) \]" \
		"parsed IKE_AUTH request 1 \[ EF\(3/3\) \]" \
		"parsed IKE_AUTH request 1 \[ IDi .*CPRQ\(ADDR ADDR6\) .*N\(MOBIKE_SUP\) .*\]" \
		"generating IKE_AUTH response 1 \[ IDr CERT AUTH EAP/REQ/ID \]" \
		"parsed IKE_AUTH request 2 \[ EAP/RES/ID \]" \
		"generating IKE_AUTH response 2 \[ EAP/REQ/TLS \]" \
		"${tls[@]}" \
		"parsed IKE_AUTH request 8 \[ AUTH \]" \
		"generating IKE_AUTH response 8 \[ AUTH CPRP\(ADDR ADDR6 DNS\) ${child}N\(AUTH_LFT\) N\(MOBIKE_SUP\)( N\(ADD_[46]_ADDR\))+$failed \]"
}

# cygnetctl --list-sas / --list-conns / --list-certs / --list-pools --leases
# line by line in the shape of the seed's swanctl output (the seed's
# --list-certs also shows the client's certificate from EAP-TLS, which
# the authority does not list).
cyg_check_listings() {
	local child=()
	[ "$CYG_ESP" = kernel ] && child=(
		"  eap-tls: #1, reqid [0-9]+, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA1_96"
		"    installed [0-9]+s ago, rekeying in [0-9]+s, expires in [0-9]+s"
		"    in  [0-9a-f]{8}, +[0-9]+ bytes, +[0-9]+ packets(, +[0-9]+s ago)?"
		"    out [0-9a-f]{8}, +[0-9]+ bytes, +[0-9]+ packets(, +[0-9]+s ago)?"
		"    local  0\.0\.0\.0/0 ::/0"
		"    remote 198\.51\.100\.[0-9]+/32 2001:db8:64::[0-9a-f]+/128")
	cyg_assert_shape list-sas "$CYG_LOGS/cygnetctl-list-sas.txt" \
		"eap-tls: #1, ESTABLISHED, IKEv2, [0-9a-f]{16}_i [0-9a-f]{16}_r\*" \
		"  local  'vpn\.example\.org' @ 192\.0\.2\.1\[4500\]" \
		"  remote '192\.0\.2\.2' @ 192\.0\.2\.2\[4500\] EAP: 'alice@example\.org' \[198\.51\.100\.[0-9]+ 2001:db8:64::[0-9a-f]+\]" \
		"  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" \
		"  established [0-9]+s ago, reauth in [0-9]+s" \
		"${child[@]}"
	cyg_assert_shape list-conns "$CYG_LOGS/cygnetctl-list-conns.txt" \
		"win: IKEv2, reauthentication every 10800s, no rekeying" \
		"  local:  %any" "  remote: %any" \
		"  local public key authentication:" \
		"    id: vpn\.example\.org" \
		"    certs: C=CH, O=Cygnet Test, CN=vpn\.example\.org" \
		"  remote public key authentication:" \
		"    cacerts: C=CH, O=Cygnet Test, CN=Cygnet Test Root CA" \
		"  win: TUNNEL, rekeying every 3600s" \
		"    local:  0\.0\.0\.0/0 ::/0" "    remote: dynamic" \
		"eap-tls: IKEv2, reauthentication every 10800s, no rekeying" \
		"  local:  %any" "  remote: %any" \
		"  local public key authentication:" \
		"    id: vpn\.example\.org" \
		"    certs: C=CH, O=Cygnet Test, CN=vpn\.example\.org" \
		"  remote EAP_TLS authentication:" \
		"    eap_id: %any" \
		"    cacerts: C=CH, O=Cygnet Test, CN=Cygnet Test Root CA" \
		"  eap-tls: TUNNEL, rekeying every 3600s" \
		"    local:  0\.0\.0\.0/0 ::/0" "    remote: dynamic"
	local hex="[0-9a-f]{2}(:[0-9a-f]{2})*" date="[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [0-9]{4}"
	cyg_assert_shape list-certs "$CYG_LOGS/cygnetctl-list-certs.txt" \
		"" "List of X.509 End Entity Certificates" "" \
		"  subject:  \"C=CH, O=Cygnet Test, CN=vpn\.example\.org\"" \
		"  issuer:   \"C=CH, O=Cygnet Test, CN=Cygnet Test Root CA\"" \
		"  validity:  not before $date, ok" \
		"             not after  $date, ok \(expires in [0-9]+ days\)" \
		"  serial:    $hex" "  altNames:  vpn\.example\.org" \
		"  flags:     serverAuth " "  CRL URIs:  http://203\.0\.113\.80/ca\.crl" \
		"  authkeyId: $hex" "  subjkeyId: $hex" \
		"  pubkey:    ECDSA 256 bits, has private key" \
		"  keyid:     $hex" "  subjkey:   $hex" \
		"" "List of X.509 CA Certificates" "" \
		"  subject:  \"C=CH, O=Cygnet Test, CN=Cygnet Test Root CA\"" \
		"  issuer:   \"C=CH, O=Cygnet Test, CN=Cygnet Test Root CA\"" \
		"  validity:  not before $date, ok" \
		"             not after  $date, ok \(expires in [0-9]+ days\)" \
		"  serial:    $hex" "  flags:     CA CRLSign self-signed " \
		"  pathlen:   1" "  subjkeyId: $hex" "  pubkey:    RSA 3072 bits" \
		"  keyid:     $hex" "  subjkey:   $hex" \
		"" "List of X.509 CRLs" "" \
		"  issuer:   \"C=CH, O=Cygnet Test, CN=Cygnet Test Root CA\"" \
		"  update:    this on $date, ok" \
		"             next on $date, ok \(expires in [0-9]+ days\)" \
		"  serial:    $hex" "  authKeyId: $hex" \
		"  1 revoked certificate:" "    $hex: $date, key compromise"
	cyg_assert_shape list-pools-leases "$CYG_LOGS/cygnetctl-leases.txt" \
		"ipv4                 198\.51\.100\.64                        1 / 0 / 62" \
		"  198\.51\.100\.65                  online   'alice@example\.org'" \
		"ipv6                 2001:db8:64::                        1 / 0 / 62" \
		"  2001:db8:64::1                 online   'alice@example\.org'"
}

cyg_eap_start "$(cyg_seed_gateway_conf "dns = $CYG_WEB_ADDR")"

cyg_swanctl client --initiate --child eap --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-eap.txt" 2>&1
cyg_check fragments-reassembled \
	grep -qE 'received fragment #[0-9]+ of [0-9]+, reassembled fragmented IKE message' "$ike_log"
cyg_assert_log config-switch "$ike_log" \
	"looking for peer configs matching ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[${CYG_CLIENT_ADDR}]" \
	"selected peer config 'win'" \
	"peer requested EAP, config unacceptable" \
	"switching to peer config 'eap-tls'"
cyg_assert_log eap-identity "$ike_log" \
	"authentication of 'vpn.example.org' (myself) with ECDSA-256 signature successful" \
	"initiating EAP_IDENTITY method (id 0x00)" \
	"generating IKE_AUTH response 1 [ IDr CERT AUTH EAP/REQ/ID ]" \
	"received EAP identity 'alice@example.org'"
cyg_check eap-tls-started \
	grep -qE 'initiating EAP_TLS method \(id 0x[0-9A-F]{2}\)' "$ike_log"
cyg_assert_log eap-tls-relayed "$ike_log" "[ EAP/REQ/TLS ]" \
	"EAP method EAP_TLS succeeded, MSK established" "[ EAP/SUCC ]"
cyg_assert_log msk-auth "$ike_log" \
	"authentication of '${CYG_CLIENT_ADDR}' with EAP successful" \
	"authentication of 'vpn.example.org' (myself) with EAP" \
	"IKE_SA eap-tls[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[${CYG_CLIENT_ADDR}]"
cyg_assert_log lease-eap-identity "$ike_log" \
	"assigning new lease to 'alice@example.org'" \
	"assigning virtual IP 198.51.100." "assigning virtual IP 2001:db8:64::"
cyg_check_lifetimes
cyg_check_last_auth_response
cyg_assert_log client-established "$client_log" \
	"authentication of 'vpn.example.org' with ECDSA-256 signature successful" \
	"IKE_SA eap[1] established between"
cyg_swanctl client --list-sas --ike eap >"$CYG_LOGS/client-list-sas.txt" 2>&1
cyg_assert_log client-sa-up "$CYG_LOGS/client-list-sas.txt" "ESTABLISHED"
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases.txt" 2>&1
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas.txt" 2>&1
cyg_ctl --list-conns >"$CYG_LOGS/cygnetctl-list-conns.txt" 2>&1
cyg_ctl --list-certs >"$CYG_LOGS/cygnetctl-list-certs.txt" 2>&1
cyg_check_exchanges
cyg_check_listings
cyg_assert_log leases-online "$CYG_LOGS/cygnetctl-leases.txt" \
	"online   'alice@example.org'"
if [ "$CYG_ESP" = kernel ]; then
	cyg_assert_log child-established "$ike_log" "CHILD_SA eap-tls{1} established with SPIs" \
		"TS 0.0.0.0/0 ::/0 === 198.51.100."
	cyg_check ping4 cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
	cyg_assert_esp_traffic esp-traffic client
else
	cyg_assert_log child-refused "$ike_log" \
		"ESP not supported by this kernel" \
		"failed to establish CHILD_SA, keeping IKE_SA"
	cyg_assert_log client-child-refused "$client_log" \
		"received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"
fi

# mallory's certificate is revoked (CRL over HTTP): EAP-TLS fails.
cyg_swanctl client --initiate --ike revoked --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-revoked.txt" 2>&1
cyg_assert_log revoked-identity "$ike_log" \
	"received EAP identity 'mallory@example.org'"
cyg_assert_log revoked-reason "$CYG_LOGS/cygnet-authority.log" \
	"peer certificate rejected: \"C=CH, O=Cygnet Test, CN=mallory\": certificate was revoked on "
cyg_assert_log client-alert "$client_log" \
	"received fatal TLS alert 'certificate revoked'" "EAP_TLS method failed"
cyg_assert_log revoked-ended "$ike_log" "received AUTHENTICATION_FAILED notify error"
if grep -qF "IKE_SA eap-tls[2] established" "$ike_log"; then
	cyg_fail revoked-not-established "mallory's IKE_SA was established"
else
	cyg_pass revoked-not-established
fi

# The seed's disconnect and a reconnect: the leases go offline with the
# IKE_SA and come back to alice with the same addresses.
cyg_swanctl client --terminate --ike eap --timeout 10 \
	>"$CYG_LOGS/swanctl-terminate-eap.txt" 2>&1
cyg_assert_log disconnect "$ike_log" "received DELETE for IKE_SA eap-tls[1]"
cyg_check leases-offline cyg_wait_log "$CYG_LOGS/cygnet-pool.log" \
	"lease 2001:db8:64::1 by 'alice@example.org' went offline" 10
cyg_swanctl client --initiate --child eap --timeout 30 \
	>"$CYG_LOGS/swanctl-reinitiate-eap.txt" 2>&1
cyg_assert_log reconnect "$ike_log" "IKE_SA eap-tls[3] established" \
	"reassigning offline lease to 'alice@example.org'"
first=$(grep -F "to peer 'alice@example.org'" "$ike_log" | head -n 2 | sed 's/.*virtual IP \([^ ]*\) .*/\1/' | tr '\n' ' ')
again=$(grep -F "to peer 'alice@example.org'" "$ike_log" | sed -n '3,4p' | sed 's/.*virtual IP \([^ ]*\) .*/\1/' | tr '\n' ' ')
if [ -n "$first" ] && [ "$first" = "$again" ]; then
	cyg_pass same-addresses
else
	cyg_fail same-addresses "first '$first', after reconnect '$again'"
fi

cyg_stop_cygnet
cyg_end
