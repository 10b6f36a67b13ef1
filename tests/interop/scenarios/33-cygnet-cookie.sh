#!/bin/bash
# COOKIE anti-DoS (RFC 7296 2.6) against a flood of IKE_SA_INIT requests
# (a python3 generator in the client namespace, from alias addresses): an
# address with block_threshold (charon's default 5) half-open SAs is
# ignored; once cookie_threshold (10) SAs are half open, requests without
# a cookie get N(COOKIE) only and leave no state; the real strongSwan
# client still connects, echoing its cookie.  The counters show in
# /metrics.
# cyg: host only
. "$CYG_TOP/tests/interop/lib.sh"
cyg_begin

ike_log=$CYG_LOGS/cygnet-ike.log
client_log=$CYG_LOGS/charon-client.log

cyg_start_web
cyg_cygnet_setup "$(cyg_seed_gateway_conf)"
cyg_seed_client_setup
cyg_start_cygnet || cyg_end
cyg_start_charon client || cyg_end

for a in 10 11 12 13 14; do
	ip -n "cyg-$CYG_ID-client" addr add "192.0.2.$a/24" dev cyg-gw
done

# flood SRC... : per source address one IKE_SA_INIT request
# (aes256-sha256-modp2048, fresh SPI, nonce and KE value) and one line
# "SRC full|cookie|none" for the answer.
flood() {
	cyg_in client python3 - "$CYG_GW_ADDR" "$@" <<'PY'
import os, socket, struct, sys

gw = sys.argv[1]
encr = struct.pack("!BBHBBHHH", 3, 0, 12, 1, 0, 12, 0x800e, 256)
prf = struct.pack("!BBHBBH", 3, 0, 8, 2, 0, 5)
integ = struct.pack("!BBHBBH", 3, 0, 8, 3, 0, 12)
dh = struct.pack("!BBHBBH", 0, 0, 8, 4, 0, 14)
transforms = encr + prf + integ + dh
proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transforms), 1, 1, 0, 4) + transforms
for src in sys.argv[2:]:
    ke_data = b"\x7f" + os.urandom(255)
    payloads = struct.pack("!BBH", 34, 0, 4 + len(proposal)) + proposal
    payloads += struct.pack("!BBHHH", 40, 0, 8 + 256, 14, 0) + ke_data
    payloads += struct.pack("!BBH", 0, 0, 36) + os.urandom(32)
    header = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(payloads))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(2)
    s.sendto(header + payloads, (gw, 500))
    try:
        resp = s.recv(4096)
    except socket.timeout:
        print(src, "none")
        continue
    if resp[16] == 33:
        print(src, "full")
    elif resp[16] == 41 and struct.unpack("!H", resp[34:36])[0] == 16390:
        print(src, "cookie")
    else:
        print(src, "other")
PY
}

count_answers() {
	grep -c " $2\$" "$CYG_LOGS/$1"
}

# 192.0.2.14 gets five half-open SAs, its sixth request is ignored.
flood 192.0.2.14 192.0.2.14 192.0.2.14 192.0.2.14 192.0.2.14 192.0.2.14 \
	>"$CYG_LOGS/flood-block.txt" 2>&1
if [ "$(count_answers flood-block.txt full)" -eq 5 ] &&
	[ "$(count_answers flood-block.txt none)" -eq 1 ]; then
	cyg_pass flood-blocked-after-5
else
	cyg_fail flood-blocked-after-5 "$(tr '\n' ' ' <"$CYG_LOGS/flood-block.txt")"
fi
cyg_assert_log block-logged "$ike_log" \
	"ignoring IKE_SA setup from 192.0.2.14, peer too aggressive"
# Five more make ten half-open SAs; from then on only cookies.
flood 192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.13 192.0.2.10 \
	>"$CYG_LOGS/flood-fill.txt" 2>&1
flood 192.0.2.11 192.0.2.12 >"$CYG_LOGS/flood-cookies.txt" 2>&1
if [ "$(count_answers flood-fill.txt full)" -eq 5 ]; then
	cyg_pass flood-answered-below-threshold
else
	cyg_fail flood-answered-below-threshold "$(tr '\n' ' ' <"$CYG_LOGS/flood-fill.txt")"
fi
if [ "$(count_answers flood-cookies.txt cookie)" -eq 2 ]; then
	cyg_pass flood-gets-cookies
else
	cyg_fail flood-gets-cookies "$(tr '\n' ' ' <"$CYG_LOGS/flood-cookies.txt")"
fi

# The real client: N(COOKIE), the request again with it, established
# (its CHILD_SA needs kernel ESP, as in scenario 30).
cyg_swanctl client --initiate --child machine --timeout 30 \
	>"$CYG_LOGS/swanctl-initiate-machine.txt" 2>&1
cyg_assert_log client-echoes-cookie "$client_log" \
	"parsed IKE_SA_INIT response 0 [ N(COOKIE) ]" \
	"generating IKE_SA_INIT request 0 [ N(COOKIE) SA KE No" \
	"IKE_SA machine[1] established between"
cyg_assert_log established-with-cookie "$ike_log" \
	"generating IKE_SA_INIT response 0 [ N(COOKIE) ]" \
	"IKE_SA win[11] established between"

cyg_in gw curl -s http://127.0.0.1:9101/metrics >"$CYG_LOGS/metrics.txt" 2>&1
cyg_assert_log metrics "$CYG_LOGS/metrics.txt" \
	"cygnet_ike_sas_by_state{state=\"CONNECTING\"} 10" \
	"cygnet_ike_sas_by_state{state=\"ESTABLISHED\"} 1" \
	"cygnet_ike_cookies_sent_total 3" \
	"cygnet_ike_cookies_accepted_total 1" \
	"cygnet_ike_init_blocked_total 1"

cyg_stop_cygnet
cyg_end
