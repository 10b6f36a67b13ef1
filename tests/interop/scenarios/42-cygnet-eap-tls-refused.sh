#!/bin/bash
# EAP-TLS clients Cygnet must refuse while alice's tunnel stays up:
# carol's certificate has expired, dave's comes from a CA the gateway does
# not know, and a client asking for the EAP identity eve@example.org is
# not in the connection's remote.eap_id list.  Each is refused with the
# reason in Cygnet's logs and fails on the client.
# cyg: host only
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
auth_log=$CYG_LOGS/cygnet-authority.log
client_log=$CYG_LOGS/charon-client.log

# cyg_refused NAME: the client's connection NAME does not come up.
cyg_refused() {
	cyg_swanctl client --initiate --ike "$1" --timeout 30 \
		>"$CYG_LOGS/swanctl-initiate-$1.txt" 2>&1
	if grep -qF "establishing IKE_SA '$1' failed" \
		"$CYG_LOGS/swanctl-initiate-$1.txt"; then
		cyg_pass "$1-client-failed"
	else
		cyg_fail "$1-client-failed" "see swanctl-initiate-$1.txt"
	fi
}

cyg_eap_start "$(cyg_seed_gateway_conf |
	sed 's/eap_id = %any/eap_id = alice@example.org, carol@example.org, dave@example.org/')" "" \
	"$(cyg_eap_client_conn expired carol@example.org
	cyg_eap_client_conn foreign dave@example.org
	cyg_eap_client_conn eve alice@example.org eve@example.org)"

cyg_swanctl client --initiate --ike eap --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-eap.txt" 2>&1
cyg_assert_log alice-established "$ike_log" "IKE_SA eap-tls[1] established between"

cyg_refused expired
cyg_assert_log expired-reason "$auth_log" \
	"peer certificate rejected: certificate has expired (\"C=CH, O=Cygnet Test, CN=carol\")"
cyg_assert_log expired-client-alert "$CYG_LOGS/swanctl-initiate-expired.txt" \
	"received fatal TLS alert 'certificate expired'"
cyg_refused foreign
cyg_assert_log foreign-reason "$auth_log" \
	"peer certificate rejected: unable to get local issuer certificate (\"C=CH, O=Cygnet Test, CN=dave\")"
cyg_assert_log foreign-client-alert "$CYG_LOGS/swanctl-initiate-foreign.txt" \
	"received fatal TLS alert 'bad certificate'"
cyg_refused eve
cyg_assert_log eve-reason "$ike_log" \
	"received EAP identity 'eve@example.org'" \
	"EAP identity 'eve@example.org' not allowed by config 'eap-tls'"
cyg_assert_log eve-client-refused "$CYG_LOGS/swanctl-initiate-eve.txt" \
	"received AUTHENTICATION_FAILED notify error"

cyg_assert_no_log only-alice-established "$ike_log" "IKE_SA eap-tls[2] established"
cyg_ctl --list-sas >"$CYG_LOGS/cygnetctl-list-sas.txt" 2>&1
cyg_assert_log alice-still-up "$CYG_LOGS/cygnetctl-list-sas.txt" \
	"eap-tls: #1, ESTABLISHED" "EAP: 'alice@example.org'"

cyg_stop_cygnet
cyg_end
