#!/bin/bash
# Cygnet as the side that rekeys: the four services (gw namespace) bring up
# `sw` to a real strongSwan responder (client namespace) whose own rekey
# times are strongSwan's defaults, while Cygnet's IKE_SA has rekey_time
# 20s (rand_time defaults to over_time, 10%: rekeyed after 18-20 s) and
# its CHILD_SA rekey_time 15s, life_time 20s (rekeyed 10-15 s after it
# was installed, charon's jitter of up to life_time - rekey_time).
# IKE_SA: Cygnet's CREATE_CHILD_SA [ SA No KE ] makes sw[2], which takes
# over the CHILD_SA, Cygnet deletes sw[1], strongSwan confirms, and DPD
# runs on sw[2].  CHILD_SA: [ N(REKEY_SA) SA No KE TSi TSr ] with PFS
# (MODP_2048) replaces sw{1} by sw{2} with the same reqid, Cygnet deletes
# sw{1} and strongSwan confirms; twice, and the tunnel carries a ping.
# Last, cygnetctl --initiate --child sw while sw[2] is up: a
# CREATE_CHILD_SA [ SA No KE TSi TSr ] on it, no second IKE_SA.
# On a kernel without ESP Cygnet's kernel service refuses the SAs, so there
# is no CHILD_SA to rekey: the host checks the IKE_SA rekeying, the VM
# (kernel ESP) both.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
peer_log=$CYG_LOGS/charon-client.log
inner_net=$CYG_SW_INNER_NET

cyg_start_web
cyg_cygnet_setup "$(cyg_sw_initiator_conf aes256-sha256-modp2048 \
	aes256-sha1-modp2048 "rekey_time = 15s
				life_time = 20s" |
	sed 's/^\t\tdpd_delay = 2s$/&\n\t\trekey_time = 20s/')"
cyg_sw_responder_setup
# PFS on strongSwan's side too: the rekeying carries a KE.
sed -i 's/esp_proposals = aes256-sha1$/esp_proposals = aes256-sha1-modp2048/' \
	"$CYG_WORK/client/swanctl/swanctl.conf"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_ctl --initiate --child sw --timeout 20 >"$CYG_LOGS/initiate.txt" 2>&1
cyg_assert_log ike-established "$ike_log" \
	"IKE_SA sw[1] established between $CYG_GW_ADDR[vpn.example.org]...$CYG_CLIENT_ADDR[$CYG_SW_PEER_ID]"
cyg_check ike-rekey-scheduled grep -qE '^\[IKE\] scheduling rekeying in (1[89]|20)s$' "$ike_log"

# check_ike_rekey: sw[1] replaced by sw[2] on both sides, then deleted.
check_ike_rekey() {
	if cyg_wait_log "$ike_log" "IKE_SA sw[2] rekeyed between" 25; then
		cyg_pass ike-rekey
	else
		cyg_fail ike-rekey "sw[1] not rekeyed within 25 s"
	fi
	cyg_wait_log "$peer_log" "IKE_SA deleted" 10
	cyg_check ike-rekey-request grep -qE 'generating CREATE_CHILD_SA request [0-9]+ \[ SA No KE \]$' "$ike_log"
	cyg_assert_log ike-rekey-cygnet "$ike_log" \
		"IKE_SA sw[2] rekeyed between $CYG_GW_ADDR[vpn.example.org]...$CYG_CLIENT_ADDR[$CYG_SW_PEER_ID]" \
		"deleting IKE_SA sw[1] between" "sending DELETE for IKE_SA sw[1]" \
		"IKE_SA deleted"
	cyg_assert_log ike-rekey-peer "$peer_log" \
		"rekeyed between $CYG_CLIENT_ADDR[$CYG_SW_PEER_ID]...$CYG_GW_ADDR[vpn.example.org]" \
		"received DELETE for IKE_SA cygnet[1]" "IKE_SA deleted"
	# DPD on the new IKE_SA (its message IDs from 0), answered.
	cyg_wait_log "$ike_log" "parsed INFORMATIONAL response 0 [ ]" 8
	cyg_assert_log dpd-on-new-sa "$ike_log" "parsed INFORMATIONAL response 0 [ ]"
	# The replacement (#2, or #3 when a slow guest let the next rekeying
	# come first) is listed, the original is gone.
	cyg_ctl --list-sas >"$CYG_LOGS/list-sas-rekeyed.txt" 2>&1
	if grep -qE '^sw: #([2-9]|[1-9][0-9]+), ESTABLISHED, IKEv2, ' "$CYG_LOGS/list-sas-rekeyed.txt" &&
		! grep -q '^sw: #1,' "$CYG_LOGS/list-sas-rekeyed.txt"; then
		cyg_pass list-sas-rekeyed
	else
		cyg_fail list-sas-rekeyed "$(head -n 1 "$CYG_LOGS/list-sas-rekeyed.txt")"
	fi
}

# check_second_child EXPECTED: cygnetctl --initiate on the IKE_SA that
# is up; EXPECTED is what cygnetctl says.
check_second_child() {
	cyg_ctl --initiate --child sw --timeout 10 >"$CYG_LOGS/initiate-2.txt" 2>&1
	cyg_assert_log second-child-result "$CYG_LOGS/initiate-2.txt" "$1"
	cyg_check second-child-request grep -qE 'generating CREATE_CHILD_SA request [0-9]+ \[ SA No KE TSi TSr \]$' "$ike_log"
	cyg_assert_no_log no-second-ike-sa "$ike_log" "initiating IKE_SA sw[3]"
	cyg_check second-child-peer grep -qE 'CHILD_SA cygnet\{[0-9]+\} established with SPIs' "$peer_log"
}

if [ "$CYG_ESP" != kernel ]; then
	cyg_assert_log child-refused "$ike_log" \
		"ESP not supported by this kernel" \
		"failed to establish CHILD_SA, keeping IKE_SA"
	check_ike_rekey
	# strongSwan installs it, Cygnet's kernel cannot and deletes it.
	check_second_child "establishing CHILD_SA 'sw' failed"
	cyg_end
fi

cyg_assert_log child-established "$ike_log" \
	"CHILD_SA sw{1} established with SPIs" \
	"TS $inner_net === $CYG_CLIENT_ADDR/32"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas.txt" 2>&1
if grep -qE '^    installed [0-9]+s ago, rekeying in ([0-9]|1[0-5])s, expires in (19|20)s$' \
	"$CYG_LOGS/list-sas.txt"; then
	cyg_pass list-sas-times
else
	cyg_fail list-sas-times "no 'rekeying in 0-15s, expires in 19-20s' line: $(grep installed "$CYG_LOGS/list-sas.txt")"
fi

# The first rekeying, by Cygnet.
if cyg_wait_log "$ike_log" "closing CHILD_SA sw{1}" 25; then
	cyg_pass rekey-1
else
	cyg_fail rekey-1 "sw{1} not rekeyed within 25 s"
fi
cyg_wait_log "$peer_log" "CHILD_SA closed" 10
cyg_check rekey-1-request grep -qE 'generating CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]$' "$ike_log"
cyg_check rekey-1-response grep -qE 'parsed CREATE_CHILD_SA response [0-9]+ \[ SA No KE TSi TSr \]$' "$ike_log"
cyg_assert_log rekey-1-cygnet "$ike_log" \
	"establishing CHILD_SA sw{2} reqid 1" \
	"CHILD_SA sw{2} established with SPIs" \
	"sending DELETE for ESP CHILD_SA with SPI" \
	"CHILD_SA closed"
cyg_check rekey-1-peer-request grep -qE 'parsed CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]$' "$peer_log"
cyg_assert_log rekey-1-peer "$peer_log" \
	"inbound CHILD_SA cygnet{2} established with SPIs" \
	"outbound CHILD_SA cygnet{2} established with SPIs" \
	"received DELETE for ESP CHILD_SA with SPI" \
	"closing CHILD_SA cygnet{1} with SPIs"
cyg_check ping-after-rekey cyg_in web ping -c 2 -i 0.2 -W 3 "$CYG_CLIENT_ADDR"

# And again: sw{2} is replaced by sw{3}, still under reqid 1.
if cyg_wait_log "$ike_log" "closing CHILD_SA sw{2}" 25; then
	cyg_pass rekey-2
else
	cyg_fail rekey-2 "sw{2} not rekeyed within 25 s"
fi
cyg_assert_log rekey-2-cygnet "$ike_log" "establishing CHILD_SA sw{3} reqid 1" \
	"CHILD_SA sw{3} established with SPIs"
cyg_wait_log "$peer_log" "closing CHILD_SA cygnet{2}" 10
cyg_assert_log rekey-2-peer "$peer_log" "closing CHILD_SA cygnet{2} with SPIs"
# The IKE_SA was rekeyed in between (18-20 s): the CHILD_SA went along.
check_ike_rekey
cyg_assert_no_log no-expiry "$ike_log" "closing expired CHILD_SA"
cyg_check ping-after-rekey-2 cyg_in web ping -c 2 -i 0.2 -W 3 "$CYG_CLIENT_ADDR"
cyg_assert_esp_traffic esp-traffic client
check_second_child "initiate completed successfully"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas-two.txt" 2>&1
if [ "$(grep -c '^  sw: #' "$CYG_LOGS/list-sas-two.txt")" -eq 2 ]; then
	cyg_pass list-sas-two-children
else
	cyg_fail list-sas-two-children "$(cat "$CYG_LOGS/list-sas-two.txt")"
fi
cyg_end
