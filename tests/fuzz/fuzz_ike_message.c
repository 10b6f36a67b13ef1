/* The IKEv2 message parser with decryption bypassed: the SK payload's
 * content is parsed as if it were the decrypted inner chain, and every
 * validated payload goes through its family's parser. */
#include <stddef.h>
#include <stdint.h>

#include "ike/message.h"
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

static struct ike_message msg;

static void parse_payload(const struct payload *p)
{
	struct proposal props[4];
	struct ts ts[TS_PAYLOAD_MAX];
	struct cp_payload cp;
	struct id_payload id;
	struct notify_payload n;
	struct delete_payload d;
	struct ke_payload ke;
	struct cert_payload cert;
	struct auth_payload auth;
	struct skf_payload f;
	char text[512];

	switch (p->type) {
	case PL_SA:
		payload_sa_parse(p->body, p->len, props, 4);
		break;
	case PL_TSI:
	case PL_TSR:
		for (size_t i = 0, n_ts = payload_ts_parse(p->body, p->len, ts,
							   TS_PAYLOAD_MAX); i < n_ts; i++)
			ts_format(&ts[i], text, sizeof(text));
		break;
	case PL_CP:
		payload_cp_parse(p->body, p->len, &cp);
		break;
	case PL_IDI:
	case PL_IDR:
		payload_id_parse(p->body, p->len, &id);
		id_format(&id, text, sizeof(text));
		break;
	case PL_NOTIFY:
		payload_notify_parse(p->body, p->len, &n);
		break;
	case PL_DELETE:
		payload_delete_parse(p->body, p->len, &d);
		break;
	case PL_KE:
		payload_ke_parse(p->body, p->len, &ke);
		break;
	case PL_CERT:
		payload_cert_parse(p->body, p->len, &cert);
		break;
	case PL_AUTH:
		payload_auth_parse(p->body, p->len, &auth);
		break;
	case PL_SKF:
		payload_skf_parse(p->body, p->len, &f);
		break;
	default:
		break;
	}
}

static void parse_all(void)
{
	char summary[2048];

	for (size_t i = 0; i < msg.n_payloads; i++)
		parse_payload(&msg.payloads[i]);
	message_summary(&msg, summary, sizeof(summary));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct payload *sk;

	if (message_parse(data, size, &msg) != PARSE_OK)
		return 0;
	parse_all();
	sk = msg.encrypted;
	if (sk && sk->type == PL_SK &&
	    message_parse_inner(&msg, sk->body, sk->len) == PARSE_OK)
		parse_all();
	return 0;
}
