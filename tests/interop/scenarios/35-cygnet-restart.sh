#!/bin/bash
# Every Cygnet service killed (SIGKILL) and restarted in turn while a
# strongSwan client's IKE_SA is up (kernel, pool, authority, ike): after
# each restart the client's IKE_SA is still ESTABLISHED and its DPD is
# answered by cygnet-ike (the restored one after the last), the leases
# are still online and cygnetctl --list-sas still shows the SA.  With
# kernel ESP (the VM runs every scenario, tests/vm/guest-all) the
# CHILD_SA is up too and a ping passes through the tunnel after each
# restart; on a host kernel without ESP only the IKE_SA is checked.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

identity="C=CH, O=Cygnet Test, CN=pc1.example.org"
client_log=$CYG_LOGS/charon-client.log

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf)"
cyg_seed_client_setup
sed -i '/^\tmachine {$/a\		dpd_delay = 1s' "$CYG_WORK/client/swanctl/swanctl.conf"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end
# Without ESP the CHILD_SA is refused and swanctl says so; the IKE_SA
# stays.
cyg_swanctl client --initiate --child machine --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate.txt" 2>&1

# How many DPD responses cygnet-ike has sent so far, in all its logs.
dpd_answers() {
	cat "$CYG_LOGS"/cygnet-ike*.log | grep -cE 'generating INFORMATIONAL response [0-9]+ \[ \]'
}

restart() {
	local svc=$1 pid log=$CYG_LOGS/cygnet-$1-restarted.log
	eval "pid=\$CYG_PID_$svc"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$CYG_CYGNET_DIR/run/$svc.rpc"
	cyg_spawn gw "$log" "$CYGNET_BIN/cygnet-$svc" --config "$CYG_CYGNET_CONF"
	eval "CYG_PID_$svc=$CYG_LAST_PID"
	cyg_wait_path "$CYG_CYGNET_DIR/run/$svc.rpc" 15 "$CYG_LAST_PID"
}

# After a restart: DPD answered again, the client's SA and our view of it.
check_alive() {
	local svc=$1 before=$2 i
	for i in $(seq 50); do
		[ "$(dpd_answers)" -gt "$before" ] && break
		sleep 0.1
	done
	if [ "$(dpd_answers)" -gt "$before" ]; then
		cyg_pass "dpd-after-$svc"
	else
		cyg_fail "dpd-after-$svc" "no DPD answered after cygnet-$svc restarted"
	fi
	cyg_swanctl client --list-sas --ike machine >"$CYG_LOGS/client-sas-$svc.txt" 2>&1
	cyg_assert_log "client-established-after-$svc" "$CYG_LOGS/client-sas-$svc.txt" \
		"ESTABLISHED"
	cyg_ctl --list-sas >"$CYG_LOGS/list-sas-$svc.txt" 2>&1
	cyg_assert_log "list-sas-after-$svc" "$CYG_LOGS/list-sas-$svc.txt" \
		", ESTABLISHED, IKEv2, " "remote '$identity' @ ${CYG_CLIENT_ADDR}[4500]"
	if [ "$CYG_ESP" = kernel ]; then
		cyg_assert_log "child-listed-after-$svc" "$CYG_LOGS/list-sas-$svc.txt" \
			"INSTALLED, TUNNEL-in-UDP"
		cyg_check "ping-after-$svc" cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
	fi
	cyg_ctl --list-pools --leases >"$CYG_LOGS/leases-$svc.txt" 2>&1
	if [ "$(grep -cF "online   '$identity'" "$CYG_LOGS/leases-$svc.txt")" -eq 2 ]; then
		cyg_pass "leases-online-after-$svc"
	else
		cyg_fail "leases-online-after-$svc" "$(tr '\n' ' ' <"$CYG_LOGS/leases-$svc.txt")"
	fi
}

for svc in kernel pool authority ike; do
	before=$(dpd_answers)
	restart "$svc"
	check_alive "$svc" "$before"
done
cyg_assert_log ike-restored "$CYG_LOGS/cygnet-ike-restarted.log" \
	"restored IKE_SA win[1] established between" \
	"reconciled 2 leases with the pool service, 0 corrected"
cyg_assert_log kernel-resynced "$CYG_LOGS/cygnet-ike.log" \
	"kernel service (re)connected, sending our state" \
	"pool service (re)connected, sending our state"
cyg_assert_no_log client-no-retransmit-give-up "$client_log" "giving up after"

if [ "$CYG_ESP" = kernel ]; then
	cyg_assert_log kernel-kept "$CYG_LOGS/cygnet-ike-restarted.log" \
		"reconciled kernel state of 1 CHILD_SA with the kernel service: 0 SAs and 0 policies added, 0 SAs and 0 policies removed"
	cyg_assert_esp_traffic esp-traffic client
fi
cyg_check terminate cyg_swanctl client --terminate --ike machine --timeout 10
cyg_assert_log ike-deleted "$CYG_LOGS/cygnet-ike-restarted.log" "IKE_SA deleted"
cyg_stop_cygnet
cyg_end
