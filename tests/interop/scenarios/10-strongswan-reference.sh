#!/bin/bash
# The seed scenario with strongSwan on both ends: a gateway with the `win`
# (machine certificate) and `eap-tls` connections, a Windows-like client
# (EAP-TLS with a user certificate, IKE fragments of 580 bytes, 53 CERTREQ
# hashes, virtual IPv4 and IPv6), the CRL fetched over HTTP, a revoked user
# refused and a machine certificate accepted.  This proves the harness
# itself, and is the behaviour Cygnet's gateway must reproduce.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

gw_log=$CYG_LOGS/charon-gw.log

# ---- set up ----------------------------------------------------------------
cyg_capture_start
cyg_start_web
cyg_charon_conf gw
cyg_swanctl_dir gw vpn.example.org
cyg_seed_gateway_conf >"$CYG_WORK/gw/swanctl/swanctl.conf"

cyg_seed_client_setup

cyg_capture_wait || cyg_end
cyg_start_charon gw || cyg_end
cyg_start_charon client || cyg_end
cyg_assert_log gw-loaded "$gw_log" "loaded plugins: charon-systemd" \
	"added vici pool ipv4: 198.51.100.64, 62 entries" \
	"added vici pool ipv6: 2001:db8:64::, 62 entries" \
	"added vici connection: win" "added vici connection: eap-tls"

# ---- EAP-TLS user: the seed's exchange ---------------------------------------
cyg_check eap-initiate cyg_swanctl client --initiate --child eap --timeout 30
cp "$CYG_LOGS/check-eap-initiate.txt" "$CYG_LOGS/swanctl-initiate-eap.txt"
cyg_assert_log eap-fragments "$gw_log" "received fragment #1 of " \
	"reassembled fragmented IKE message"
cyg_assert_log eap-certreqs "$gw_log" "received 52 cert requests for an unknown ca"
cyg_assert_log eap-config-switch "$gw_log" "selected peer config 'win'" \
	"peer requested EAP, config unacceptable" "switching to peer config 'eap-tls'"
cyg_assert_log eap-gw-auth "$gw_log" \
	"authentication of 'vpn.example.org' (myself) with ECDSA-256 signature successful"
cyg_assert_log eap-tls "$gw_log" "negotiated TLS 1.2 using suite" \
	"received TLS peer certificate 'C=CH, O=Cygnet Test, CN=alice'" \
	"EAP method EAP_TLS succeeded, MSK established"
cyg_assert_log eap-crl "$gw_log" "fetching crl from '$CYG_CRL_URI'" \
	"crl correctly signed by" "certificate status is good"
cyg_assert_log eap-vips "$gw_log" "assigning virtual IP 198.51.100." \
	"assigning virtual IP 2001:db8:64::"
cyg_assert_log eap-established "$gw_log" \
	"authentication of '$CYG_CLIENT_ADDR' with EAP successful" \
	"IKE_SA eap-tls[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[${CYG_CLIENT_ADDR}]" \
	"CHILD_SA eap-tls{1} established with SPIs"

cyg_swanctl gw --list-sas >"$CYG_LOGS/gw-list-sas.txt" 2>&1
cyg_swanctl client --list-sas >"$CYG_LOGS/client-list-sas.txt" 2>&1
cyg_assert_log eap-gw-sas "$CYG_LOGS/gw-list-sas.txt" "eap-tls: #" "ESTABLISHED, IKEv2" \
	"EAP: 'alice@example.org'" "INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA1_96" \
	"AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
cyg_assert_log eap-client-sas "$CYG_LOGS/client-list-sas.txt" "ESTABLISHED" "INSTALLED"

# Traffic through the tunnel to the web host behind the gateway.
cyg_check eap-ping4 cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
cyg_check eap-ping6 cyg_in client ping -6 -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR6"
cyg_assert_esp_traffic eap-esp-counters gw

cyg_check eap-terminate cyg_swanctl client --terminate --ike eap --timeout 10
cyg_swanctl gw --list-pools --leases >"$CYG_LOGS/gw-leases.txt" 2>&1
cyg_assert_log eap-leases-offline "$CYG_LOGS/gw-leases.txt" "offline  'alice@example.org'"

# ---- revoked user: refused by the CRL -----------------------------------------
if cyg_swanctl client --initiate --child revoked --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-revoked.txt" 2>&1; then
	cyg_fail revoked-refused "the IKE_SA with the revoked certificate was established"
else
	cyg_assert_log revoked-refused "$gw_log" "certificate was revoked on" \
		"no trusted certificate found for 'mallory@example.org' to verify TLS peer"
fi

# ---- machine certificate: the `win` connection --------------------------------
cyg_check machine-initiate cyg_swanctl client --initiate --child machine --timeout 30
cyg_assert_log machine-auth "$gw_log" \
	"authentication of 'C=CH, O=Cygnet Test, CN=pc1.example.org' with RSA" \
	"IKE_SA win["
cyg_check machine-terminate cyg_swanctl client --terminate --ike machine --timeout 10

cyg_capture_check capture-clean \
	"$(grep -cE '(received|sending) packet: ' "$gw_log")"
cyg_end
