#!/bin/bash
# Cygnet as the initiator asking for virtual IPs (vips = 0.0.0.0, ::) from
# a real strongSwan responder with two pools: CP(CFG_REQUEST) in IKE_AUTH,
# strongSwan assigns 198.51.100.1 and 2001:db8:64::1, Cygnet installs both
# on its interface (cyg-cli in the gw namespace) through the kernel
# service, uses them as its `dynamic` traffic selectors and lists them in
# --list-sas; a cygnet-ike restarted after SIGKILL keeps them with the
# restored IKE_SA; after --terminate the addresses are gone.
# On a kernel without ESP Cygnet's kernel service refuses the SAs (the VIPs
# are still installed, as charon installs them with the IKE_SA); with
# kernel ESP (VM) the CHILD_SA's source route (table 220) is listed, a
# plain ping and one from the VIP reach strongSwan through ESP, and the
# route is gone after --terminate.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
peer_log=$CYG_LOGS/charon-client.log
peer_id=$CYG_SW_PEER_ID
vip4=198.51.100.1
vip6=2001:db8:64::1

# Our virtual IPs are the dynamic local selector.
cyg_cygnet_setup "$(cyg_sw_initiator_conf aes256-sha256-modp2048 aes256-sha1 \
	"remote_ts = dynamic" "vips = 0.0.0.0, ::" dynamic)"

cyg_sw_responder_setup dynamic "pools = v4, v6" "$(cat <<EOF
pools {
	v4 {
		addrs = $vip4-198.51.100.9
	}
	v6 {
		addrs = $vip6-2001:db8:64::9
	}
}
EOF
)"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_ctl --initiate --child sw --timeout 20 >"$CYG_LOGS/initiate.txt" 2>&1
initiated=$?
cyg_assert_log cp-request "$ike_log" \
	"establishing CHILD_SA sw{1}" \
	"installing new virtual IP $vip4" \
	"installing new virtual IP $vip6" \
	"IKE_SA sw[1] established between $CYG_GW_ADDR[vpn.example.org]...$CYG_CLIENT_ADDR[$peer_id]"
cyg_check cp-in-request grep -qE 'generating IKE_AUTH request 1 \[ .*CPRQ\(ADDR ADDR6\) .*SA TSi TSr' "$ike_log"
cyg_check cp-in-response grep -qE 'parsed IKE_AUTH response 1 \[ .*CPRP\(ADDR ADDR6\)' "$ike_log"
cyg_assert_log peer-assigned "$peer_log" \
	"peer requested virtual IP %any" \
	"peer requested virtual IP %any6" \
	"assigning new lease to 'vpn.example.org'" \
	"assigning virtual IP $vip4 to peer 'vpn.example.org'" \
	"assigning virtual IP $vip6 to peer 'vpn.example.org'" \
	"CHILD_SA cygnet{1} established with SPIs" \
	"TS $CYG_CLIENT_ADDR/32 === $vip4/32 $vip6/128"

cyg_in gw ip -o addr show dev cyg-cli >"$CYG_LOGS/addr-up.txt" 2>&1
cyg_assert_log vip-on-interface "$CYG_LOGS/addr-up.txt" \
	"inet $vip4/32" "inet6 $vip6/128"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas.txt" 2>&1
cyg_assert_log list-sas "$CYG_LOGS/list-sas.txt" \
	"sw: #1, ESTABLISHED, IKEv2, " \
	"  local  'vpn.example.org' @ $CYG_GW_ADDR[4500] [$vip4 $vip6]" \
	"  remote '$peer_id' @ $CYG_CLIENT_ADDR[4500]"

if [ "$CYG_ESP" = kernel ]; then
	if [ "$initiated" -eq 0 ]; then
		cyg_pass initiate
	else
		cyg_fail initiate "cygnetctl --initiate exit $initiated: $(cat "$CYG_LOGS/initiate.txt")"
	fi
	cyg_assert_log child-established "$ike_log" \
		"CHILD_SA sw{1} established with SPIs" \
		"TS $vip4/32 $vip6/128 === $CYG_CLIENT_ADDR/32"
	# The source route (table 220, rule priority 220, as charon's) makes
	# a plain ping leave from the VIP: the first ESP traffic is its own.
	cyg_in gw ip route show table 220 >"$CYG_LOGS/routes-up.txt" 2>&1
	cyg_in gw ip rule >>"$CYG_LOGS/routes-up.txt" 2>&1
	cyg_check source-route grep -qE "^$CYG_CLIENT_ADDR dev cyg-cli .*src $vip4( |\$)" "$CYG_LOGS/routes-up.txt"
	cyg_check routing-rule grep -qE "^220:[[:space:]]+from all lookup 220" "$CYG_LOGS/routes-up.txt"
	cyg_check ping-plain cyg_in gw ping -c 2 -i 0.2 -W 3 "$CYG_CLIENT_ADDR"
	cyg_assert_esp_traffic esp-traffic client
	cyg_check ping-from-vip cyg_in gw ping -c 2 -i 0.2 -W 3 -I "$vip4" "$CYG_CLIENT_ADDR"
else
	cyg_assert_log child-refused "$ike_log" \
		"ESP not supported by this kernel" \
		"failed to establish CHILD_SA, keeping IKE_SA"
fi

# A restarted cygnet-ike (SIGKILL) restores the IKE_SA with its virtual
# IPs: they stay on the interface and are removed by its --terminate.
kill -KILL "$CYG_PID_ike"
wait "$CYG_PID_ike" 2>/dev/null
rm -f "$CYG_CYGNET_DIR/run/ike.rpc"
ike_log=$CYG_LOGS/cygnet-ike-restarted.log
cyg_spawn gw "$ike_log" "$CYGNET_BIN/cygnet-ike" --config "$CYG_CYGNET_CONF"
CYG_PID_ike=$CYG_LAST_PID
cyg_wait_path "$CYG_CYGNET_DIR/run/ike.rpc" 15 "$CYG_PID_ike"
cyg_assert_log restored "$ike_log" \
	"restored IKE_SA sw[1] established between $CYG_GW_ADDR[vpn.example.org]...$CYG_CLIENT_ADDR[$peer_id]"
cyg_in gw ip -o addr show dev cyg-cli >"$CYG_LOGS/addr-restarted.txt" 2>&1
cyg_assert_log vip-kept-on-restart "$CYG_LOGS/addr-restarted.txt" \
	"inet $vip4/32" "inet6 $vip6/128"
cyg_ctl --list-sas >"$CYG_LOGS/list-sas-restarted.txt" 2>&1
cyg_assert_log list-sas-restarted "$CYG_LOGS/list-sas-restarted.txt" \
	"  local  'vpn.example.org' @ $CYG_GW_ADDR[4500] [$vip4 $vip6]"

cyg_ctl --terminate --ike sw --timeout 10 >"$CYG_LOGS/terminate.txt" 2>&1
cyg_assert_log terminate "$CYG_LOGS/terminate.txt" "terminate completed successfully"
cyg_assert_log peer-released "$peer_log" "received DELETE for IKE_SA cygnet[" \
	"lease $vip4 by 'vpn.example.org' went offline"
# The addresses go when the IKE_SA is gone (our DELETE answered).
for _ in $(seq 30); do
	cyg_in gw ip -o addr show dev cyg-cli >"$CYG_LOGS/addr-down.txt" 2>&1
	grep -qE "inet6? ($vip4|$vip6)/" "$CYG_LOGS/addr-down.txt" || break
	sleep 0.1
done
if grep -qE "inet6? ($vip4|$vip6)/" "$CYG_LOGS/addr-down.txt"; then
	cyg_fail vip-removed "still on cyg-cli after --terminate: $(grep -E "$vip4|$vip6" "$CYG_LOGS/addr-down.txt" | tr '\n' ' ')"
else
	cyg_pass vip-removed
fi
cyg_check own-address-kept grep -q "inet $CYG_GW_ADDR/24" "$CYG_LOGS/addr-down.txt"
if [ "$CYG_ESP" = kernel ]; then
	cyg_in gw ip route show table 220 >"$CYG_LOGS/routes-down.txt" 2>&1
	cyg_check source-route-removed sh -c "! grep -q 'src $vip4' '$CYG_LOGS/routes-down.txt'"
fi

cyg_stop_cygnet
cyg_end
