#!/bin/bash
# Rekeying with Cygnet as the responder: the strongSwan client (machine
# certificate, `machine` -> `win`) rekeys its IKE_SA every few seconds
# (CREATE_CHILD_SA with SA, Ni, KEi: new SPIs, keys from the old SK_d)
# and deletes the old one; the CHILD_SA and the virtual IPs move to the
# new IKE_SA, which is rekeyed in turn and still answers DPD.  On kernel
# ESP the client also rekeys its CHILD_SA (REKEY_SA, new SPIs from the
# kernel service, the old SAs deleted on its DELETE) and pings through
# the tunnel afterwards.  Without ESP the CHILD_SA is refused as in
# scenario 30 and only the IKE_SA is rekeyed.  Both sides want PFS for
# the CHILD_SA (esp_proposals aes256-sha1-modp2048 alone): IKE_AUTH
# selects it without the KE method, the rekeyings carry KE payloads.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log
client_id="C=CH, O=Cygnet Test, CN=pc1.example.org"

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf |
	sed '0,/esp_proposals = aes256-sha1, default/s//esp_proposals = aes256-sha1-modp2048/')"
cyg_seed_client_setup
# IKE_SA rekeyed every 8-9 s, CHILD_SA every 5-6 s; DPD every 2 s.  The
# hard lifetimes stay well beyond (swanctl's default over_time, 10% of
# 9 s, would end an SA while its rekeying runs).
conf=$CYG_WORK/client/swanctl/swanctl.conf
sed -i '/^\tmachine {$/a\		rekey_time = 9s\n\t\trand_time = 1s\n\t\tover_time = 30s\n\t\tdpd_delay = 2s' "$conf"
sed -i '/^\t\t\tmachine {$/a\				rekey_time = 6s\n\t\t\t\trand_time = 1s\n\t\t\t\tlife_time = 30s' "$conf"
sed -i '/^\t\t\tmachine {$/,/esp_proposals/s/esp_proposals = aes256-sha1$/esp_proposals = aes256-sha1-modp2048/' "$conf"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_swanctl client --initiate --child machine --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-machine.txt" 2>&1
initiated=$?
cyg_assert_log esp-proposal-ike-auth "$ike_log" \
	"selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ"
cyg_assert_log ike-established "$ike_log" \
	"IKE_SA win[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[$client_id]"

# The first IKE_SA rekeying, and the second one on its replacement.
cyg_wait_log "$ike_log" "IKE_SA win[3] rekeyed between" 30
cyg_assert_log ike-rekeyed "$ike_log" \
	"parsed CREATE_CHILD_SA request" "generating CREATE_CHILD_SA response" \
	" [ SA No KE ]" \
	"IKE_SA win[2] rekeyed between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[$client_id]" \
	"received DELETE for IKE_SA win[1]" \
	"IKE_SA win[3] rekeyed between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[$client_id]"
cyg_assert_log client-ike-rekeyed "$client_log" \
	"IKE_SA machine[2] rekeyed between ${CYG_CLIENT_ADDR}[$client_id]...${CYG_GW_ADDR}[vpn.example.org]" \
	"IKE_SA machine[3] rekeyed between"
cyg_assert_no_log client-no-invalid-ke "$client_log" "received INVALID_KE_PAYLOAD notify"
cyg_assert_no_log client-no-temporary-failure "$client_log" \
	"received TEMPORARY_FAILURE notify"
# The replacement starts its message IDs at 0 (its first request is a
# DPD, or with kernel ESP maybe a CHILD_SA rekeying) and answers DPD.
dpd_on_new_sa() {
	awk '/IKE_SA win\[2\] rekeyed between/ { r = 1 }
		r && /parsed [A-Z_]+ request 0 / { z = 1 }
		z && /generating INFORMATIONAL response [0-9]+ \[ \]/ { ok = 1 }
		END { exit !ok }' "$ike_log"
}
for _ in $(seq 100); do dpd_on_new_sa && break; sleep 0.1; done
cyg_check dpd-on-new-sa dpd_on_new_sa
cyg_swanctl client --list-sas --ike machine >"$CYG_LOGS/client-list-sas.txt" 2>&1
cyg_assert_log client-sa-up "$CYG_LOGS/client-list-sas.txt" "ESTABLISHED"
# The virtual IPs went with the SA: the lease stays online and the pool
# service sees them on a live IKE_SA.
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases.txt" 2>&1
cyg_assert_log leases-online "$CYG_LOGS/cygnetctl-leases.txt" "online   '$client_id'"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas.txt" 2>&1
cyg_assert_log list-sas "$CYG_LOGS/cygnetctl-list-sas.txt" ", ESTABLISHED, IKEv2, " \
	"  remote '$client_id' @ ${CYG_CLIENT_ADDR}[4500] [198.51.100."

if [ "$CYG_ESP" = kernel ]; then
	if [ "$initiated" -eq 0 ]; then
		cyg_pass initiate
	else
		cyg_fail initiate "swanctl --initiate exit $initiated"
	fi
	cyg_wait_log "$ike_log" "CHILD_SA win{2} established with SPIs" 20
	cyg_wait_log "$ike_log" "closing CHILD_SA win{1} with SPIs" 10
	cyg_assert_log child-rekeyed "$ike_log" \
		"parsed CREATE_CHILD_SA request" "N(REKEY_SA) SA No KE TSi TSr ]" \
		"generating CREATE_CHILD_SA response" " [ SA No KE TSi TSr ]" \
		"selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ" \
		"CHILD_SA win{2} established with SPIs" \
		"received DELETE for ESP CHILD_SA with SPI" \
		"rekeyed CHILD_SA win{1} with SPIs" "with win{2} with SPIs" \
		"closing CHILD_SA win{1} with SPIs"
	cyg_assert_log client-child-rekeyed "$client_log" \
		"CHILD_SA machine{2} established with SPIs"
	cyg_check ping-after-rekey cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
	cyg_swanctl client --list-sas --ike machine >"$CYG_LOGS/client-list-sas-child.txt" 2>&1
	cyg_assert_log client-child-installed "$CYG_LOGS/client-list-sas-child.txt" "INSTALLED"
else
	cyg_assert_log child-refused "$ike_log" "failed to establish CHILD_SA, keeping IKE_SA"
fi

cyg_check terminate cyg_swanctl client --terminate --ike machine --timeout 10
cyg_wait_log "$ike_log" "IKE_SA deleted" 5
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases-after.txt" 2>&1
cyg_assert_log leases-offline "$CYG_LOGS/cygnetctl-leases-after.txt" "offline  '$client_id'"

cyg_stop_cygnet
cyg_end
