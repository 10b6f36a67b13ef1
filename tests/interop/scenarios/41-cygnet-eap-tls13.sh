#!/bin/bash
# Scenario 40's Windows-like strongSwan client with EAP-TLS over TLS 1.3
# only (tls.version_min = version_max = 1.3) against Cygnet's gateway.
# strongSwan 5.9's libtls implements TLS 1.3 for EAP from before RFC
# 9190: it crashes on the protected success indication and keys the MSK
# with TLS-Exporter("client EAP encryption"), so the authority runs with
# eap_tls.tls13 = strongswan-5.9.  Both sides log the TLS 1.3 suite, the
# MSK authenticates both sides and the IKE_SA is established; with kernel
# ESP a ping goes through the tunnel.
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
auth_log=$CYG_LOGS/cygnet-authority.log
client_log=$CYG_LOGS/charon-client.log

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf)"
sed -i 's/^\tauthority {$/&\n\t\teap_tls {\n\t\t\ttls13 = strongswan-5.9\n\t\t}/' "$CYG_CYGNET_CONF"
cyg_seed_client_setup "1.3
			version_min = 1.3"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_swanctl client --initiate --child eap --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-eap.txt" 2>&1
cyg_check client-tls13 \
	grep -qE 'negotiated TLS 1\.3 using suite TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)' "$client_log"
cyg_check authority-tls13 \
	grep -qE 'negotiated TLS 1\.3 using suite TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)' "$auth_log"
cyg_assert_log authority-peer "$auth_log" \
	"received TLS peer certificate 'C=CH, O=Cygnet Test, CN=alice'" \
	"EAP method EAP_TLS succeeded, MSK established"
cyg_assert_log msk-auth "$ike_log" \
	"EAP method EAP_TLS succeeded, MSK established" "[ EAP/SUCC ]" \
	"authentication of '${CYG_CLIENT_ADDR}' with EAP successful" \
	"IKE_SA eap-tls[1] established between ${CYG_GW_ADDR}[vpn.example.org]...${CYG_CLIENT_ADDR}[${CYG_CLIENT_ADDR}]"
cyg_assert_log client-established "$client_log" \
	"EAP method EAP_TLS succeeded, MSK established" \
	"authentication of 'vpn.example.org' with EAP successful" \
	"IKE_SA eap[1] established between"
cyg_swanctl client --list-sas --ike eap >"$CYG_LOGS/client-list-sas.txt" 2>&1
cyg_assert_log client-sa-up "$CYG_LOGS/client-list-sas.txt" "ESTABLISHED"
# With kernel ESP (the VM) the tunnel carries traffic keyed from this
# IKE_SA; without it the CHILD_SA fails as in scenario 40.
if [ "$CYG_ESP" = kernel ]; then
	cyg_assert_log client-child "$client_log" "CHILD_SA eap{1} established with SPIs"
	cyg_check ping4 cyg_in client ping -c 2 -i 0.2 -W 3 "$CYG_WEB_ADDR"
fi

cyg_stop_cygnet
cyg_end
