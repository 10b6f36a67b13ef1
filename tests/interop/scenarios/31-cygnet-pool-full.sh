#!/bin/bash
# Cygnet's gateway with a one-address IPv4 pool: the machine pc1 gets
# it, a second machine (alice's certificate, public key authentication)
# finds the pool full.  Its IKE_SA is authenticated but the virtual IP
# is refused with INTERNAL_ADDRESS_FAILURE, as charon does; the first
# lease stays online with its owner.  A third machine with a revoked
# certificate is refused with AUTHENTICATION_FAILED.
# cyg: host only
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf |
	sed -e 's|^\t\taddrs = 198.51.100.64/26$|\t\taddrs = 198.51.100.70-198.51.100.70|' \
	    -e 's|^\t\tpools = ipv4, ipv6$|\t\tpools = ipv4|')"
cyg_seed_client_setup
# Only IPv4 virtual IPs, and a second machine with alice's certificate.
sed -i 's|^\t\tvips = 0.0.0.0, ::$|\t\tvips = 0.0.0.0|' "$CYG_WORK/client/swanctl/swanctl.conf"
sed -i '$d' "$CYG_WORK/client/swanctl/swanctl.conf"
{
	cyg_client_conn second "			auth = pubkey
			certs = alice@example.org.pem"
	cyg_client_conn third "			auth = pubkey
			certs = mallory@example.org.pem"
} | sed 's|^\t\tvips = 0.0.0.0, ::$|\t\tvips = 0.0.0.0|' >>"$CYG_WORK/client/swanctl/swanctl.conf"
echo "}" >>"$CYG_WORK/client/swanctl/swanctl.conf"
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

cyg_swanctl client --initiate --ike machine --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-machine.txt" 2>&1
cyg_assert_log first-vip "$ike_log" \
	"assigning virtual IP 198.51.100.70 to peer 'C=CH, O=Cygnet Test, CN=pc1.example.org'"

cyg_swanctl client --initiate --ike second --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-second.txt" 2>&1
cyg_assert_log second-authenticated "$ike_log" \
	"authentication of 'C=CH, O=Cygnet Test, CN=alice' with RSA signature successful"
cyg_assert_log pool-full "$ike_log" \
	"no virtual IP found for %any requested by 'C=CH, O=Cygnet Test, CN=alice'" \
	"pool 'ipv4' is full" \
	"no virtual IP found, sending INTERNAL_ADDRESS_FAILURE" \
	"configuration payload negotiation failed, no CHILD_SA built"
# As charon orders it: AUTH_LIFETIME and MOBIKE before the error.
cyg_check address-failure-sent \
	grep -qE 'generating IKE_AUTH response 1 \[ IDr CERT AUTH N\(AUTH_LFT\) N\(MOBIKE_SUP\)( N\(ADD_[46]_ADDR\))+ N\(INT_ADDR_FAIL\) \]' "$ike_log"
cyg_check client-address-failure \
	grep -qE 'parsed IKE_AUTH response 1 \[ IDr CERT AUTH N\(AUTH_LFT\) N\(MOBIKE_SUP\)( N\(ADD_[46]_ADDR\))+ N\(INT_ADDR_FAIL\) \]' "$client_log"

# A revoked certificate (the CRL comes from the web host): refused with
# AUTHENTICATION_FAILED, the IKE_SA never established.
cyg_swanctl client --initiate --ike third --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-third.txt" 2>&1
cyg_assert_log revoked-refused "$ike_log" \
	"received end entity cert \"C=CH, O=Cygnet Test, CN=mallory\"" \
	"certificate \"C=CH, O=Cygnet Test, CN=mallory\" not trusted: "
cyg_check revoked-auth-failed \
	grep -qE 'generating IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]' "$ike_log"
cyg_assert_log client-auth-failed "$client_log" \
	"received AUTHENTICATION_FAILED notify error"
if grep -qF "IKE_SA win[3] established" "$ike_log"; then
	cyg_fail revoked-not-established "the revoked certificate's IKE_SA was established"
else
	cyg_pass revoked-not-established
fi

cyg_ctl --list-pools --leases >"$CYG_LOGS/cygnetctl-leases.txt" 2>&1
cyg_assert_log lease-kept "$CYG_LOGS/cygnetctl-leases.txt" \
	"198.51.100.70                  online   'C=CH, O=Cygnet Test, CN=pc1.example.org'"

cyg_stop_cygnet
cyg_end
