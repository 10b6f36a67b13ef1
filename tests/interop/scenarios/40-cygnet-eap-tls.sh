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
# AUTHENTICATION_FAILED and the IKE_SA is never established.
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
# the CHILD_SA (or why not), AUTH_LIFETIME, MOBIKE and our other
# addresses (203.0.113.1, 2001:db8:2::1, 2001:db8:3::1).
cyg_check_last_auth_response() {
	local child="SA TSi TSr " failed=""
	[ "$CYG_ESP" = kernel ] || { child=""; failed=" N(NO_PROP)"; }
	cyg_assert_log peer-mobike "$ike_log" "peer supports MOBIKE"
	cyg_assert_log last-auth-response "$ike_log" \
		"generating IKE_AUTH response 8 [ AUTH CPRP(ADDR ADDR6 DNS) ${child}${failed:+N(NO_PROP) }N(AUTH_LFT) N(MOBIKE_SUP) N(ADD_4_ADDR) N(ADD_6_ADDR) N(ADD_6_ADDR) ]"
}

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf "dns = $CYG_WEB_ADDR")"
cyg_seed_client_setup
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

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

cyg_stop_cygnet
cyg_end
