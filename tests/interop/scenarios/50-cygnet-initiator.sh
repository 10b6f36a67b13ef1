#!/bin/bash
# Cygnet as the initiator: the four services (gw namespace, vpn.example.org,
# ECDSA) bring up `sw` to a real strongSwan responder (client namespace,
# pc1.example.org, RSA) with certificates both ways: INVALID_KE_PAYLOAD
# answered with the group strongSwan asks for, NAT-T (strongSwan forces
# encapsulation), the CHILD_SA through the kernel service, Cygnet's DPD
# answered, cygnetctl --terminate deleting on both sides, start_action =
# start after a reload, and a strongSwan that went away making Cygnet
# retransmit and give up.
# On a kernel without ESP Cygnet's kernel service refuses the SAs: the
# IKE_SA is established on both sides, the CHILD_SA only on strongSwan's
# (userspace ESP); with kernel ESP (VM) a ping goes through the tunnel.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
peer_log=$CYG_LOGS/charon-client.log
peer_id=$CYG_SW_PEER_ID
inner_net=$CYG_SW_INNER_NET

# Cygnet offers ECP_256 first; strongSwan takes MODP_2048 only.  PFS for
# CREATE_CHILD_SA only: IKE_AUTH offers the ESP proposal without the group.
cygnet_conf() {
	cyg_sw_initiator_conf "aes256-sha256-ecp256, aes256-sha256-modp2048" \
		aes256-sha1-modp2048 "${1:-}"
}

cyg_start_web
cyg_cygnet_setup "$(cygnet_conf)"
# Short retransmits: 1 s, 1.4 s, 1.96 s, then give up after 2.7 s more.
sed -i "/^\t\tstate_dir = .*ike$/a\\		retransmit_timeout = 1\\n\\t\\tretransmit_base = 1.4\\n\\t\\tretransmit_tries = 3" \
	"$CYG_CYGNET_CONF"

cyg_sw_responder_setup
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end
peer_pid=$CYG_LAST_PID

cyg_ctl --initiate --child sw --timeout 20 >"$CYG_LOGS/initiate.txt" 2>&1
initiated=$?
cyg_assert_log ike-sa-init "$ike_log" \
	"initiating IKE_SA sw[1] to $CYG_CLIENT_ADDR" \
	"peer didn't accept DH group ECP_256, it requested MODP_2048" \
	"selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" \
	"remote host is behind NAT"
cyg_assert_log ike-auth "$ike_log" \
	"authentication of 'vpn.example.org' (myself) with ECDSA-256 signature successful" \
	"sending end entity cert \"C=CH, O=Cygnet Test, CN=vpn.example.org\"" \
	"establishing CHILD_SA sw{1}" \
	"received end entity cert \"$peer_id\"" \
	"authentication of '$peer_id' with RSA signature successful" \
	"IKE_SA sw[1] established between $CYG_GW_ADDR[vpn.example.org]...$CYG_CLIENT_ADDR[$peer_id]" \
	"sending packet: from $CYG_GW_ADDR[4500] to $CYG_CLIENT_ADDR[4500]"
# (strongSwan's first IKE_SA went with its INVALID_KE_PAYLOAD.)
cyg_assert_log peer-established "$peer_log" \
	"DH group ECP_256 unacceptable, requesting MODP_2048" \
	"authentication of 'vpn.example.org' with ECDSA-256 signature successful" \
	"established between $CYG_CLIENT_ADDR[$peer_id]...$CYG_GW_ADDR[vpn.example.org]" \
	"CHILD_SA cygnet{1} established with SPIs" \
	"TS $CYG_CLIENT_ADDR/32 === $inner_net"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas.txt" 2>&1
cyg_assert_log list-sas "$CYG_LOGS/list-sas.txt" \
	"sw: #1, ESTABLISHED, IKEv2, " \
	"  local  'vpn.example.org' @ $CYG_GW_ADDR[4500]" \
	"  remote '$peer_id' @ $CYG_CLIENT_ADDR[4500]"
if grep -qE '^sw: #1, ESTABLISHED, IKEv2, [0-9a-f]{16}_i\* [0-9a-f]{16}_r$' \
	"$CYG_LOGS/list-sas.txt"; then
	cyg_pass list-sas-initiator
else
	cyg_fail list-sas-initiator "not marked as initiator: $(head -n 1 "$CYG_LOGS/list-sas.txt")"
fi

if [ "$CYG_ESP" = kernel ]; then
	if [ "$initiated" -eq 0 ]; then
		cyg_pass initiate
	else
		cyg_fail initiate "cygnetctl --initiate exit $initiated: $(cat "$CYG_LOGS/initiate.txt")"
	fi
	cyg_assert_log child-established "$ike_log" \
		"CHILD_SA sw{1} established with SPIs" \
		"TS $inner_net === $CYG_CLIENT_ADDR/32"
	# From behind Cygnet (the web namespace) to strongSwan, both ways ESP.
	cyg_check ping cyg_in web ping -c 2 -i 0.2 -W 3 "$CYG_CLIENT_ADDR"
	cyg_assert_esp_traffic esp-traffic client
else
	# No ESP here: strongSwan (userspace ESP) installs, Cygnet cannot.
	cyg_assert_log child-refused "$ike_log" \
		"ESP not supported by this kernel" \
		"failed to establish CHILD_SA, keeping IKE_SA"
	cyg_assert_log initiate-child-failed "$CYG_LOGS/initiate.txt" \
		"initiate failed: establishing CHILD_SA 'sw' failed"
	# As charon does, the CHILD_SA the responder installed is deleted.
	cyg_wait_log "$peer_log" "CHILD_SA closed" 5
	cyg_assert_log child-deleted "$ike_log" \
		"sending DELETE for ESP CHILD_SA with SPI"
	cyg_assert_log peer-child-deleted "$peer_log" \
		"received DELETE for ESP CHILD_SA with SPI" "CHILD_SA closed"
fi

# Cygnet's DPD after 2 s without a message, answered by strongSwan.
cyg_wait_log "$ike_log" "sending DPD request" 8
for _ in $(seq 50); do
	grep -qE 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$ike_log" && break
	sleep 0.1
done
cyg_check dpd grep -qE 'generating INFORMATIONAL request [0-9]+ \[ \]' "$ike_log"
cyg_check dpd-answered grep -qE 'parsed INFORMATIONAL response [0-9]+ \[ \]' "$ike_log"
cyg_check peer-dpd grep -qE 'generating INFORMATIONAL response [0-9]+ \[ \]' "$peer_log"

# Our DELETE, confirmed by strongSwan.
cyg_ctl --terminate --ike sw --timeout 10 >"$CYG_LOGS/terminate.txt" 2>&1
cyg_assert_log terminate "$CYG_LOGS/terminate.txt" "terminate completed successfully"
cyg_assert_log ike-deleted "$ike_log" \
	"deleting IKE_SA sw[1] between $CYG_GW_ADDR[vpn.example.org]...$CYG_CLIENT_ADDR[$peer_id]" \
	"sending DELETE for IKE_SA sw[1]" "IKE_SA deleted"
cyg_assert_log peer-deleted "$peer_log" "received DELETE for IKE_SA cygnet[" \
	"IKE_SA deleted"
cyg_ctl --terminate --ike sw --timeout 2 >"$CYG_LOGS/terminate-none.txt" 2>&1
cyg_assert_log terminate-none "$CYG_LOGS/terminate-none.txt" \
	"terminate failed: no matching SAs to terminate found"

# start_action = start: the reload initiates.
cyg_cygnet_setup "$(cygnet_conf "start_action = start")"
sed -i "/^\t\tstate_dir = .*ike$/a\\		retransmit_timeout = 1\\n\\t\\tretransmit_base = 1.4\\n\\t\\tretransmit_tries = 3" \
	"$CYG_CYGNET_CONF"
cyg_ctl --reload >"$CYG_LOGS/reload.txt" 2>&1
if cyg_wait_log "$ike_log" "IKE_SA sw[2] established between" 10; then
	cyg_pass start-action
else
	cyg_fail start-action "no IKE_SA sw[2] after the reload"
fi

# strongSwan goes away: the next DPD is retransmitted, then given up.
kill -KILL "$peer_pid"
wait "$peer_pid" 2>/dev/null
if cyg_wait_log "$ike_log" "giving up after 3 retransmits" 20; then
	cyg_pass give-up
else
	cyg_fail give-up "no 'giving up after 3 retransmits' within 20 s"
fi
cyg_assert_log retransmits "$ike_log" "retransmit 1 of request with message ID" \
	"retransmit 3 of request with message ID"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas-after.txt" 2>&1
if grep -q "ESTABLISHED" "$CYG_LOGS/list-sas-after.txt"; then
	cyg_fail sa-gone "an IKE_SA is still listed after giving up"
else
	cyg_pass sa-gone
fi
# Nobody answers an initiation either.
cyg_ctl --initiate --child sw --timeout 20 >"$CYG_LOGS/initiate-dead.txt" 2>&1
cyg_assert_log initiate-dead "$CYG_LOGS/initiate-dead.txt" \
	"initiate failed: establishing CHILD_SA 'sw' failed"
cyg_assert_log initiate-dead-log "$ike_log" \
	"retransmit 1 of request with message ID 0" \
	"establishing IKE_SA failed, peer not responding"

cyg_stop_cygnet
cyg_end
