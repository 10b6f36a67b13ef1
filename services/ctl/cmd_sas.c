/* cygnetctl --list-sas: the IKE_SAs and CHILD_SAs of cygnet-ike in
 * swanctl --list-sas format:
 *
 *   win: #1, ESTABLISHED, IKEv2, 8ab17b513b1c1514_i 80fd1986e5c0e179_r*
 *     local  'vpn.example.org' @ 192.0.2.1[4500]
 *     remote '192.0.2.2' @ 192.0.2.2[4500] EAP: 'alice' [198.51.100.65]
 *     AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
 *     established 57s ago, reauth in 10319s
 *     win: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA1_96
 *       installed 57s ago, rekeying in 3216s, expires in 3903s
 *       in  caf527c5,  28317 bytes,   188 packets,     3s ago
 *       out 9bcd9c12,  40788 bytes,   110 packets,     0s ago
 *       local  0.0.0.0/0 ::/0
 *       remote 198.51.100.65/32
 */
#include <stdio.h>

#include "ctl.h"
#include "print_sas.h"

/* The kernel service is asked for every CHILD_SA's counters. */
#define LIST_SAS_EXTRA_MS 3000

int ctl_cmd_list_sas(struct ctl *ctl)
{
	Cygnet__Empty req = CYGNET__EMPTY__INIT;
	const Cygnet__IkeSaList *list;
	struct rpc_client *client;
	struct rpc_result result;

	if (ctl_no_args(ctl))
		return 1;
	client = ctl_connect(ctl, "ike");
	if (!client)
		return 1;
	rpc_call(client, CYGNET__IKE_METHOD__IKE_LIST_SAS, &req.base,
		 &cygnet__ike_sa_list__descriptor,
		 ctl->timeout_ms + LIST_SAS_EXTRA_MS, &result);
	rpc_client_close(client);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(stderr, "cygnetctl: list-sas request failed: %s\n",
			result.error);
		return 1;
	}
	list = (const Cygnet__IkeSaList *)result.reply;
	ctl_print_sas(ctl->out, list);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}
