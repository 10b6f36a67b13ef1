/* The IKE_AUTH request as the worker reads it after decryption: the
 * first octet names the first inner payload, the rest is the chain.
 * Covers auth_request_read (IDi/IDr/CERT/CERTREQ/AUTH), the CP request
 * (cp_requested) and traffic selector narrowing of TSi/TSr. */
#include <stdlib.h>
#include <string.h>

#include "ike/child_sa.h"
#include "ike/cp.h"
#include "ike/ike_auth.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_all_levels(LOG_LEVEL_SILENT);
	return 0;
}

static void narrow(const struct payload *p, const uint8_t (*dyn)[16],
		   const size_t *dyn_len)
{
	struct ts peer[TS_PAYLOAD_MAX], conf[3], out[CHILD_TS_MAX];
	char text[1024];
	size_t n, m;

	if (!p)
		return;
	memset(conf, 0, sizeof(conf));
	conf[0].dynamic = true;
	conf[0].end_port = 65535;
	conf[1].type = TS_IPV4_ADDR_RANGE;
	conf[1].end_port = 65535;
	memset(conf[1].end, 0xff, 4);
	conf[2].type = TS_IPV6_ADDR_RANGE;
	conf[2].protocol = 6;
	conf[2].start_port = 443;
	conf[2].end_port = 443;
	memset(conf[2].end, 0xff, 16);
	n = payload_ts_parse(p->body, p->len, peer, TS_PAYLOAD_MAX);
	m = ts_narrow(conf, 3, peer, n, dyn, dyn_len, 2, out, CHILD_TS_MAX);
	ts_list_format(out, m, text, sizeof(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t dyn[2][16] = { { 198, 51, 100, 65 },
					    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	static const size_t dyn_len[2] = { 4, 16 };
	struct ike_message *msg;
	struct auth_request *r;

	if (size < 1)
		return 0;
	msg = calloc(1, sizeof(*msg));
	r = calloc(1, sizeof(*r));
	if (msg && r) {
		msg->inner_next = data[0];
		if (message_parse_inner(msg, data + 1, size - 1) == PARSE_OK &&
		    auth_request_read(msg, r) == 0) {
			if (r->cp) {
				struct cp_payload *cp = malloc(sizeof(*cp));
				struct cp_wanted w;

				if (cp) {
					payload_cp_parse(r->cp->body, r->cp->len, cp);
					cp_requested(cp, &w);
				}
				free(cp);
			}
			narrow(r->tsi, dyn, dyn_len);
			narrow(r->tsr, dyn, dyn_len);
		}
	}
	free(r);
	free(msg);
	return 0;
}
