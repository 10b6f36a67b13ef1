#!/bin/bash
# Cygnet's gateway (the seed's `win` and `eap-tls` connections) against
# the Windows-like strongSwan client asking for EAP-TLS (alice's user
# certificate, fragmented IKE_AUTH requests, 52 extra CAs requested):
# the IKE_AUTH request without AUTH payload first selects `win`, whose
# public key authentication cannot serve it, and Cygnet switches to
# `eap-tls` with charon's lines.  The EAP conversation itself is not
# relayed by the IKE service yet, so only the switch is checked here.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf)"
cyg_seed_client_setup
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_swanctl client --initiate --ike eap --timeout 15 \
	>"$CYG_LOGS/swanctl-initiate-eap.txt" 2>&1
cyg_check fragments-reassembled \
	grep -qE 'received fragment #[0-9]+ of [0-9]+, reassembled fragmented IKE message' "$ike_log"
cyg_assert_log config-switch "$ike_log" \
	"looking for peer configs matching ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[${CYG_CLIENT_ADDR}]" \
	"selected peer config 'win'" \
	"peer requested EAP, config unacceptable" \
	"switching to peer config 'eap-tls'"
cyg_assert_no_log alternative-found "$ike_log" "no alternative config found"

cyg_stop_cygnet
cyg_end
