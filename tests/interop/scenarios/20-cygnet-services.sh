#!/bin/bash
# The four Cygnet services from $CYGNET_BIN in the gateway namespace with
# the seed gateway's configuration: they start, find each other, answer
# cygnetctl (--status reports all four up, the connections and pools of
# the config are loaded) and stop cleanly on SIGTERM.
# cyg: host only
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf)"
cyg_start_cygnet || cyg_end

status=$CYG_LOGS/cygnetctl-status.txt
if cyg_ctl --status >"$status" 2>&1; then
	down=$(awk 'NR > 1 && $2 != "running" { print $1 "=" $2 }' "$status" | tr '\n' ' ')
	up=$(awk 'NR > 1 && $2 == "running"' "$status" | wc -l)
	if [ "$up" -eq 4 ]; then
		cyg_pass cygnet-status
	else
		cyg_fail cygnet-status "$up of 4 services running: $down"
	fi
else
	cyg_fail cygnet-status "cygnetctl --status exit $?: $(tr '\n' ' ' <"$status")"
fi

cyg_ctl --list-conns >"$CYG_LOGS/cygnetctl-list-conns.txt" 2>&1
cyg_assert_log cygnet-conns "$CYG_LOGS/cygnetctl-list-conns.txt" \
	"win: IKEv2" "eap-tls: IKEv2" "remote EAP_TLS authentication"
cyg_ctl --list-pools >"$CYG_LOGS/cygnetctl-list-pools.txt" 2>&1
cyg_assert_log cygnet-pools "$CYG_LOGS/cygnetctl-list-pools.txt" \
	"198.51.100.64" "2001:db8:64::"

cyg_stop_cygnet
cyg_end
