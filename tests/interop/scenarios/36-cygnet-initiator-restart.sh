#!/bin/bash
# Cygnet as the initiator survives its own restart: the IKE_SA `sw` that
# cygnet-ike brought up to a real strongSwan responder is restored after
# a SIGKILL, our next requests carry the message IDs strongSwan expects
# (Cygnet's DPD after the restart answered, then our DELETE confirmed),
# and strongSwan never retransmits or gives up.  With kernel ESP (VM) the
# CHILD_SA stays too and a ping passes through it after the restart.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

peer_log=$CYG_LOGS/charon-client.log
peer_id=$CYG_SW_PEER_ID
restarted_log=$CYG_LOGS/cygnet-ike-restarted.log

cyg_start_web
cyg_cygnet_setup "$(cyg_sw_initiator_conf aes256-sha256-modp2048 aes256-sha1)"
cyg_sw_responder_setup
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

# PASS NAME when Cygnet's log FILE shows an answered DPD within 8 s.
dpd_answered() {
	local name=$1 file=$2
	for _ in $(seq 80); do
		grep -qE 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$file" && break
		sleep 0.1
	done
	cyg_check "$name" grep -qE 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$file"
}

# Without ESP here the CHILD_SA fails on our side; the IKE_SA stays.
cyg_ctl --initiate --child sw --timeout 20 >"$CYG_LOGS/initiate.txt" 2>&1
cyg_assert_log established "$CYG_LOGS/cygnet-ike.log" "IKE_SA sw[1] established between"
dpd_answered dpd-before "$CYG_LOGS/cygnet-ike.log"

kill -KILL "$CYG_PID_ike"
wait "$CYG_PID_ike" 2>/dev/null
rm -f "$CYG_CYGNET_DIR/run/ike.rpc"
cyg_spawn gw "$restarted_log" "$CYGNET_BIN/cygnet-ike" --config "$CYG_CYGNET_CONF"
CYG_PID_ike=$CYG_LAST_PID
cyg_wait_path "$CYG_CYGNET_DIR/run/ike.rpc" 15 "$CYG_PID_ike"
cyg_assert_log restored "$restarted_log" \
	"restored IKE_SA sw[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[$peer_id]"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas-restored.txt" 2>&1
if grep -qE '^sw: #1, ESTABLISHED, IKEv2, [0-9a-f]{16}_i\* [0-9a-f]{16}_r$' \
	"$CYG_LOGS/list-sas-restored.txt"; then
	cyg_pass list-sas-initiator-restored
else
	cyg_fail list-sas-initiator-restored "$(head -n 1 "$CYG_LOGS/list-sas-restored.txt")"
fi

# Our DPD from the restored SA, with the next message ID.
dpd_answered dpd-after-restart "$restarted_log"
if [ "$CYG_ESP" = kernel ]; then
	cyg_check ping-after-restart cyg_in web ping -c 2 -i 0.2 -W 3 "$CYG_CLIENT_ADDR"
	cyg_assert_esp_traffic esp-traffic client
fi

cyg_ctl --terminate --ike sw --timeout 10 >"$CYG_LOGS/terminate.txt" 2>&1
cyg_assert_log terminate "$CYG_LOGS/terminate.txt" "terminate completed successfully"
cyg_assert_log peer-deleted "$peer_log" "received DELETE for IKE_SA cygnet[" \
	"IKE_SA deleted"
cyg_assert_log deleted "$restarted_log" "IKE_SA deleted"
cyg_assert_no_log peer-no-retransmit "$peer_log" "retransmit"
cyg_assert_no_log no-retransmit "$restarted_log" "retransmit"
cyg_stop_cygnet
cyg_end
