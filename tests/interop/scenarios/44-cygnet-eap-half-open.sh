#!/bin/bash
# A client that goes silent in the middle of EAP-TLS (its packets to
# port 4500 dropped after IKE_AUTH request 2, the EAP identity): the
# authority holds an EAP-TLS session for the IKE_SA until Cygnet drops
# the half-open IKE_SA after charon's 30 s, and the session goes with it
# (EAP_TLS_ABORT) instead of at the authority's own 60 s idle timeout.
# cyg: host only
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
metrics=$CYG_LOGS/authority-metrics.txt

# cyg_eap_sessions N: the authority reports N EAP-TLS sessions in progress.
cyg_eap_sessions() {
	cyg_in gw curl -s --max-time 2 http://127.0.0.1:9102/metrics >"$metrics" 2>&1 &&
		grep -qE "^cygnet_authority_eap_tls_sessions_active(\{[^}]*\})? $1\$" "$metrics"
}

cyg_eap_start "$(cyg_seed_gateway_conf)"
# Requests 1 (three fragments) and 2 fit in the quota, request 3 does not.
cyg_in client iptables -A OUTPUT -p udp --dport 4500 -m quota --quota 1900 -j ACCEPT
cyg_in client iptables -A OUTPUT -p udp --dport 4500 -j DROP

cyg_swanctl client --initiate --ike eap --timeout 3 \
	>"$CYG_LOGS/swanctl-initiate-eap.txt" 2>&1
cyg_assert_log eap-tls-begun "$ike_log" "received EAP identity 'alice@example.org'" \
	"initiating EAP_TLS method"
cyg_assert_no_log client-silent "$ike_log" "parsed IKE_AUTH request 3"
cyg_check session-open cyg_eap_sessions 1
cyg_check half-open-dropped cyg_wait_log "$ike_log" \
	"deleting half open IKE_SA with ${CYG_CLIENT_ADDR} after timeout" 35
# The abort is asynchronous: give it a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	cyg_eap_sessions 0 && break
	sleep 0.2
done
cyg_check session-aborted cyg_eap_sessions 0

cyg_stop_cygnet
cyg_end
