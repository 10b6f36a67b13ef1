#!/bin/bash
# The IKE_SA's lifetimes as charon keeps them for a peer that does not
# reauthenticate (the seed's Windows client ignores AUTH_LIFETIME): with
# reauth_time 10s, over_time 2s and no jitter Cygnet tells the client 10s
# in N(AUTH_LFT), logs at 10s that the initiator did not reauthenticate
# and at 12s deletes the IKE_SA with its own DELETE; the leases go
# offline.  The strongSwan client would reauthenticate at 9s (its
# over_time 1s), so it is stopped (SIGSTOP) until Cygnet's DELETE is out.
# cyg: host only
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log

cyg_eap_start "$(cyg_seed_gateway_conf |
	sed 's/reauth_time = 10800s/reauth_time = 10s\n\t\tover_time = 2s\n\t\trand_time = 0s/')" "" \
	"$(cyg_eap_client_conn short alice@example.org |
	sed 's/^\t\tversion = 2$/&\n\t\tover_time = 1s/')"
client_pid=$CYG_LAST_PID

cyg_swanctl client --initiate --ike short --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-short.txt" 2>&1
kill -STOP "$client_pid"
cyg_assert_log lifetimes "$ike_log" \
	"IKE_SA eap-tls[1] established between" \
	"scheduling reauthentication in 10s" "maximum IKE_SA lifetime 12s"
cyg_assert_log client-auth-lifetime "$client_log" \
	"received AUTH_LIFETIME of 10s, scheduling reauthentication in 9s"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas.txt" 2>&1
cyg_check list-sas-reauth-in \
	grep -qE '^  established [0-9]+s ago, reauth in ([0-9]|10)s$' "$CYG_LOGS/cygnetctl-list-sas.txt"

cyg_check reauth-due cyg_wait_log "$ike_log" \
	"IKE_SA eap-tls[1] will timeout in 2 seconds" 15
cyg_assert_log reauth-not-done "$ike_log" \
	"initiator did not reauthenticate as requested"
cyg_check deleted-at-end cyg_wait_log "$ike_log" \
	"deleting IKE_SA eap-tls[1] between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[${CYG_CLIENT_ADDR}]" 5
cyg_assert_log delete-sent "$ike_log" "generating INFORMATIONAL request 0 [ D ]"
# Woken up, the client runs its overdue reauthentication at once and may
# delete the IKE_SA itself before it reads our DELETE: either way the
# IKE_SA and its leases go.
kill -CONT "$client_pid"
cyg_check leases-offline cyg_wait_log "$ike_log" \
	"by 'alice@example.org' went offline" 10

cyg_stop_cygnet
cyg_end
