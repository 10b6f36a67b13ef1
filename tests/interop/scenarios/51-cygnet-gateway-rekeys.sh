#!/bin/bash
# Cygnet as the gateway that rekeys: the strongSwan client (machine
# certificate, `machine` -> `win`, virtual IPs) keeps strongSwan's default
# rekey times, while Cygnet's `win` has rekey_time 15s (rand_time 2s:
# rekeyed after 13-15 s) and its CHILD_SA rekey_time 10s, life_time 14s
# (rekeyed after 6-10 s), both with PFS.  Cygnet, the responder of
# IKE_AUTH, initiates the rekeyings: the IKE_SA ([ SA No KE ], win[2]
# takes over the CHILD_SA and the virtual IPs, Cygnet deletes win[1]) on
# the host too, the CHILD_SA ([ N(REKEY_SA) SA No KE TSi TSr ], win{2}
# with the same reqid, Cygnet deletes win{1}) on kernel ESP, where the
# client pings through the tunnel afterwards.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log
client_id="C=CH, O=Cygnet Test, CN=pc1.example.org"
gw_ends="${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[$client_id]"

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf |
	sed -e '0,/rekey_time = 0s/s//rekey_time = 15s\n\t\trand_time = 2s/' \
	    -e '0,/esp_proposals = aes256-sha1, default/s//esp_proposals = aes256-sha1-modp2048\n\t\t\t\trekey_time = 10s\n\t\t\t\tlife_time = 14s/')"
cyg_seed_client_setup
sed -i '/^\t\t\tmachine {$/,/esp_proposals/s/esp_proposals = aes256-sha1$/esp_proposals = aes256-sha1-modp2048/' \
	"$CYG_WORK/client/swanctl/swanctl.conf"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_swanctl client --initiate --child machine --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-machine.txt" 2>&1
cyg_assert_log ike-established "$ike_log" "IKE_SA win[1] established between $gw_ends"
cyg_check ike-rekey-scheduled grep -qE '^\[IKE\] scheduling rekeying in 1[345]s$' "$ike_log"

if [ "$CYG_ESP" = kernel ]; then
	if cyg_wait_log "$ike_log" "closing CHILD_SA win{1}" 15; then
		cyg_pass child-rekey
	else
		cyg_fail child-rekey "win{1} not rekeyed within 15 s"
	fi
	cyg_wait_log "$client_log" "CHILD_SA closed" 10
	cyg_assert_log child-rekey-cygnet "$ike_log" \
		"establishing CHILD_SA win{2} reqid 1" \
		"CHILD_SA win{2} established with SPIs" \
		"sending DELETE for ESP CHILD_SA with SPI" "CHILD_SA closed"
	cyg_check child-rekey-request grep -qE 'generating CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]$' "$ike_log"
	cyg_assert_log child-rekey-client "$client_log" \
		"inbound CHILD_SA machine{2} established with SPIs" \
		"received DELETE for ESP CHILD_SA with SPI" \
		"closing CHILD_SA machine{1} with SPIs" \
		"outbound CHILD_SA machine{2} established with SPIs"
	cyg_check ping-after-child-rekey cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
else
	cyg_assert_log child-refused "$ike_log" "failed to establish CHILD_SA, keeping IKE_SA"
fi

if cyg_wait_log "$ike_log" "IKE_SA win[2] rekeyed between" 20; then
	cyg_pass ike-rekey
else
	cyg_fail ike-rekey "win[1] not rekeyed within 20 s"
fi
cyg_wait_log "$client_log" "IKE_SA deleted" 10
cyg_check ike-rekey-request grep -qE 'generating CREATE_CHILD_SA request [0-9]+ \[ SA No KE \]$' "$ike_log"
cyg_assert_log ike-rekey-cygnet "$ike_log" "IKE_SA win[2] rekeyed between $gw_ends" \
	"sending DELETE for IKE_SA win[1]" "IKE_SA deleted"
cyg_assert_log ike-rekey-client "$client_log" \
	"IKE_SA machine[2] rekeyed between ${CYG_CLIENT_ADDR}[$client_id]...${CYG_GW_ADDR}[vpn.example.org]" \
	"received DELETE for IKE_SA machine[1]"
# The virtual IPs went along: the leases stay online.
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases.txt" 2>&1
cyg_assert_log leases-online "$CYG_LOGS/cygnetctl-leases.txt" "online   '$client_id'"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas.txt" 2>&1
# (rekeyed again every 13-15 s meanwhile)
cyg_check list-sas grep -qE '^win: #[2-9], ESTABLISHED, IKEv2, ' "$CYG_LOGS/cygnetctl-list-sas.txt"
if [ "$CYG_ESP" = kernel ]; then
	cyg_check ping-after-ike-rekey cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
	cyg_assert_esp_traffic esp-traffic client
fi

cyg_check terminate cyg_swanctl client --terminate --ike machine --timeout 10
cyg_stop_cygnet
cyg_end
