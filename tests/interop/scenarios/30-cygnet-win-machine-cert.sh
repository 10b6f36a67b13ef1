#!/bin/bash
# Cygnet's gateway (the four services, seed configuration) against a
# strongSwan client with an RSA machine certificate (`machine` -> `win`):
# IKE_SA_INIT and IKE_AUTH with certificates both ways, virtual IPv4 and
# IPv6 from the pool service, the CHILD_SA through the kernel service,
# DPD answered, the client's DELETEs cleaning up (leases offline), a
# killed IKE service carrying on with its IKE_SA after a restart, and
# the leases of an SA lost with it going offline.
# On a kernel without ESP the kernel service refuses the SAs: the
# IKE_SA is established, the CHILD_SA fails with NO_PROPOSAL_CHOSEN and
# both sides say so.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf)"
cyg_seed_client_setup
# DPD from the client every 2 s, to see liveness checks answered.
sed -i '/^\tmachine {$/a\		dpd_delay = 2s' "$CYG_WORK/client/swanctl/swanctl.conf"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end
client_pid=$CYG_LAST_PID

cyg_swanctl client --initiate --child machine --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-machine.txt" 2>&1
initiated=$?

cyg_assert_log ike-auth-peer "$ike_log" \
	"received cert request for \"C=CH, O=Cygnet Test, CN=Cygnet Test Root CA\"" \
	"received 52 cert requests for an unknown ca" \
	"received end entity cert \"C=CH, O=Cygnet Test, CN=pc1.example.org\"" \
	"looking for peer configs matching ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[C=CH, O=Cygnet Test, CN=pc1.example.org]" \
	"selected peer config 'win'" \
	"authentication of 'C=CH, O=Cygnet Test, CN=pc1.example.org' with RSA signature successful"
cyg_assert_log ike-auth-self "$ike_log" \
	"authentication of 'vpn.example.org' (myself) with ECDSA-256 signature successful" \
	"sending end entity cert \"C=CH, O=Cygnet Test, CN=vpn.example.org\""
cyg_assert_log ike-established "$ike_log" \
	"IKE_SA win[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[C=CH, O=Cygnet Test, CN=pc1.example.org]"
cyg_assert_log client-established "$client_log" \
	"authentication of 'vpn.example.org' with ECDSA-256 signature successful" \
	"IKE_SA machine[1] established between"
cyg_assert_log vips "$ike_log" "peer requested virtual IP %any" \
	"assigning virtual IP 198.51.100." "peer requested virtual IP %any6" \
	"assigning virtual IP 2001:db8:64::"
cyg_assert_log client-vips "$client_log" "installing new virtual IP 198.51.100." \
	"installing new virtual IP 2001:db8:64::"
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases.txt" 2>&1
cyg_assert_log leases-online "$CYG_LOGS/cygnetctl-leases.txt" \
	"online   'C=CH, O=Cygnet Test, CN=pc1.example.org'"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas.txt" 2>&1
cyg_assert_log list-sas "$CYG_LOGS/cygnetctl-list-sas.txt" \
	"win: #1, ESTABLISHED, IKEv2, " \
	"  local  'vpn.example.org' @ ${CYG_GW_ADDR}[4500]" \
	"  remote 'C=CH, O=Cygnet Test, CN=pc1.example.org' @ ${CYG_CLIENT_ADDR}[4500] [198.51.100." \
	"  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
# A restarted pool service asks IKE_LIST_VIRTUAL_IPS: both leases are
# held by the live IKE_SA and stay online.
kill -TERM "$CYG_PID_pool"
wait "$CYG_PID_pool"
cyg_spawn gw "$CYG_LOGS/cygnet-pool-restarted.log" \
	"$CYGNET_BIN/cygnet-pool" --config "$CYG_CYGNET_CONF"
CYG_PID_pool=$CYG_LAST_PID
for _ in $(seq 100); do
	grep -qF "reconciled leases with" "$CYG_LOGS/cygnet-pool-restarted.log" && break
	sleep 0.1
done
cyg_assert_log pool-reconciled "$CYG_LOGS/cygnet-pool-restarted.log" \
	"reconciled leases with 2 virtual IPs of live IKE_SAs, 0 changed"
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases-pool-restart.txt" 2>&1
cyg_assert_log leases-online-pool-restart "$CYG_LOGS/cygnetctl-leases-pool-restart.txt" \
	"online   'C=CH, O=Cygnet Test, CN=pc1.example.org'"
cyg_assert_log esp-proposal "$ike_log" \
	"selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ"

if [ "$CYG_ESP" = kernel ]; then
	if [ "$initiated" -eq 0 ]; then
		cyg_pass initiate
	else
		cyg_fail initiate "swanctl --initiate exit $initiated"
	fi
	cyg_assert_log child-established "$ike_log" "CHILD_SA win{1} established with SPIs" \
		"TS 0.0.0.0/0 ::/0 === 198.51.100."
	cyg_check ping4 cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
	cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas-child.txt" 2>&1
	cyg_assert_log list-sas-child "$CYG_LOGS/cygnetctl-list-sas-child.txt" \
		"  win: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA1_96" \
		"    local  0.0.0.0/0 ::/0"
else
	# No ESP in this kernel: the kernel service's refusal is reported.
	cyg_assert_log child-refused "$ike_log" \
		"ESP not supported by this kernel" \
		"unable to install inbound and outbound IPsec SA (SAD) in kernel" \
		"failed to establish CHILD_SA, keeping IKE_SA"
	cyg_assert_log client-child-refused "$client_log" \
		"received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"
fi

# DPD: the client's liveness checks are answered.
cyg_wait_log "$ike_log" "generating INFORMATIONAL response 2 [ ]" 15
cyg_assert_log dpd "$ike_log" "parsed INFORMATIONAL request 2 [ ]" \
	"generating INFORMATIONAL response 2 [ ]"
cyg_swanctl client --list-sas --ike machine >"$CYG_LOGS/client-list-sas.txt" 2>&1
cyg_assert_log client-sa-up "$CYG_LOGS/client-list-sas.txt" "ESTABLISHED"

if [ "$CYG_ESP" = kernel ]; then
	# The client closes the CHILD_SA alone: our SPI comes back in the DELETE.
	cyg_check terminate-child cyg_swanctl client --terminate --child machine --timeout 10
	cyg_assert_log child-deleted "$ike_log" "received DELETE for ESP CHILD_SA with SPI" \
		"closing CHILD_SA win{1} with SPIs" "CHILD_SA closed"
	cyg_check child-delete-answered \
		grep -qE 'generating INFORMATIONAL response [0-9]+ \[ D \]' "$ike_log"
fi
cyg_check terminate cyg_swanctl client --terminate --ike machine --timeout 10
cyg_assert_log ike-4500 "$ike_log" \
	"sending packet: from ${CYG_GW_ADDR}[4500] to ${CYG_CLIENT_ADDR}[4500]"
cyg_assert_log ike-deleted "$ike_log" "received DELETE for IKE_SA win[1]" \
	"IKE_SA deleted"
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases-after.txt" 2>&1
cyg_assert_log leases-offline "$CYG_LOGS/cygnetctl-leases-after.txt" \
	"offline  'C=CH, O=Cygnet Test, CN=pc1.example.org'"

# A restarted IKE service holds no IKE_SA: the pool service is told so
# (POOL_RECONCILE) and the lease of the SA lost with the old process goes
# offline.
cyg_check reinitiate cyg_swanctl client --initiate --ike machine --timeout 30

# The client "reboots" (killed, its kernel state flushed) and comes back
# with INITIAL_CONTACT: the IKE_SA it left behind is deleted, its leases
# go to the new one.
kill -KILL "$client_pid"
wait "$client_pid" 2>/dev/null
cyg_in client ip xfrm state flush
cyg_in client ip xfrm policy flush
cyg_start_charon client || cyg_end
client_pid=$CYG_LAST_PID
cyg_check initiate-after-reboot cyg_swanctl client --initiate --ike machine --timeout 30
cyg_assert_log initial-contact "$ike_log" \
	"deleting duplicate IKE_SA for peer 'C=CH, O=Cygnet Test, CN=pc1.example.org' due to uniqueness policy"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas-reboot.txt" 2>&1
# The old one may still be listed as DELETING for a moment.
if [ "$(grep -c '^win: #.*ESTABLISHED' "$CYG_LOGS/cygnetctl-list-sas-reboot.txt")" -eq 1 ] &&
	grep -q '^win: #3, ESTABLISHED' "$CYG_LOGS/cygnetctl-list-sas-reboot.txt"; then
	cyg_pass one-sa-after-reboot
else
	cyg_fail one-sa-after-reboot "$(tr '\n' ' ' <"$CYG_LOGS/cygnetctl-list-sas-reboot.txt")"
fi
# Kills cygnet-ike and starts it again; waits for its lease reconcile.
restart_ike() {
	kill -KILL "$CYG_PID_ike" 2>/dev/null
	wait "$CYG_PID_ike" 2>/dev/null
	rm -f "$CYG_CYGNET_DIR/run/ike.rpc"
	cyg_spawn gw "$CYG_LOGS/cygnet-ike-$1.log" \
		"$CYGNET_BIN/cygnet-ike" --config "$CYG_CYGNET_CONF"
	CYG_PID_ike=$CYG_LAST_PID
	cyg_wait_path "$CYG_CYGNET_DIR/run/ike.rpc" 15 "$CYG_PID_ike"
	for _ in $(seq 100); do
		grep -qF "with the pool service" "$CYG_LOGS/cygnet-ike-$1.log" &&
			grep -qF "reconciled kernel state" "$CYG_LOGS/cygnet-ike-$1.log" && break
		sleep 0.1
	done
}

# Killed and restarted, cygnet-ike restores the IKE_SA from its state
# directory: the leases stay online and the client's DPD is answered.
restart_ike restored
cyg_assert_log ike-restored "$CYG_LOGS/cygnet-ike-restored.log" \
	"restored IKE_SA win[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[C=CH, O=Cygnet Test, CN=pc1.example.org]" \
	"restored 1 IKE_SA from " \
	"reconciled 2 leases with the pool service, 0 corrected" \
	"reconciled kernel state of "
# The client's next DPD (every 2 s without traffic; later under TCG).
cyg_wait_log "$CYG_LOGS/cygnet-ike-restored.log" "generating INFORMATIONAL response" 15
cyg_assert_log dpd-after-restart "$CYG_LOGS/cygnet-ike-restored.log" \
	"parsed INFORMATIONAL request" "generating INFORMATIONAL response"
cyg_swanctl client --list-sas --ike machine >"$CYG_LOGS/client-list-sas-restored.txt" 2>&1
cyg_assert_log client-sa-up-restart "$CYG_LOGS/client-list-sas-restored.txt" "ESTABLISHED"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas-restored.txt" 2>&1
cyg_assert_log list-sas-restored "$CYG_LOGS/cygnetctl-list-sas-restored.txt" \
	"win: #1, ESTABLISHED, IKEv2, "
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases-restored.txt" 2>&1
cyg_assert_log leases-online-restart "$CYG_LOGS/cygnetctl-leases-restored.txt" \
	"online   'C=CH, O=Cygnet Test, CN=pc1.example.org'"

# An SA whose record is gone (lost with the old process) is not restored:
# the pool service is told (POOL_RECONCILE) and its leases go offline.
kill -KILL "$CYG_PID_ike"
wait "$CYG_PID_ike" 2>/dev/null
rm -f "$CYG_CYGNET_DIR"/ike/*.sa
restart_ike restarted
cyg_assert_log ike-reconciled "$CYG_LOGS/cygnet-ike-restarted.log" \
	"restored 0 IKE_SAs from " \
	"reconciled 0 leases with the pool service, 2 corrected" \
	"reconciled kernel state of 0 CHILD_SAs with the kernel service: "
cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases-restart.txt" 2>&1
if grep -qF "online   'C=CH, O=Cygnet Test, CN=pc1.example.org'" \
	"$CYG_LOGS/cygnetctl-leases-restart.txt"; then
	cyg_fail leases-offline-restart "a lease stayed online after the IKE restart"
else
	cyg_pass leases-offline-restart
fi

cyg_stop_cygnet
cyg_end
