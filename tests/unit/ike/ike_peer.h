/* A scripted IKEv2 initiator for responder tests: IKE_SA_INIT through
 * ike_process(), the keys derived on its side, then encrypted requests
 * answered by the workers and their responses decrypted. */
#ifndef CYGNET_TEST_IKE_PEER_H
#define CYGNET_TEST_IKE_PEER_H

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ike/dh.h"
#include "ike/exchange.h"
#include "ike/protect.h"
#include "ike/sk.h"
#include "ike_msg_helpers.h"

struct test_peer {
	struct ike_service *svc;
	struct ike_header hdr;		/* SPIs of the current IKE_SA */
	struct ike_keys keys;
	uint32_t next_id;
	struct packet in, out;
	/* The last response, parsed; payloads point into plain. */
	struct ike_message resp;
	uint8_t plain[4096];
};

static inline void peer_addr(struct sockaddr_storage *ss, const char *ip,
			     uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
}

static inline struct ike_sa *peer_sa(const struct test_peer *p)
{
	uint64_t spi_i, spi_r;

	memcpy(&spi_i, p->hdr.spi_i, 8);
	memcpy(&spi_r, p->hdr.spi_r, 8);
	return sa_table_find_spis(p->svc->sas, spi_i, spi_r);
}

/* IKE_SA_INIT with one proposal string and a KE of group; the SA is
 * then marked established for connection conn. */
static inline void peer_establish(struct test_peer *p, struct ike_service *svc,
				  const char *proposals, uint16_t group,
				  const char *conn)
{
	struct proposal prop[4], chosen;
	struct msg_builder b;
	uint8_t pub[DH_MAX_PUBLIC], nonce[32], gir[DH_MAX_SECRET];
	size_t gir_len;
	char err[128];
	int n = proposal_parse(proposals, PROTO_IKE, prop, 4, err, sizeof(err));
	struct dh *dh = dh_create(group);
	struct ike_message msg;
	struct ke_payload ke;
	struct ike_sa *sa;

	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(dh);
	memset(p, 0, sizeof(*p));
	p->svc = svc;
	p->next_id = 1;
	for (int i = 0; i < n; i++)
		prop[i].number = (uint8_t)(i + 1);
	memset(nonce, 0x3c, sizeof(nonce));
	p->hdr = test_header(IKE_SA_INIT, false, 0);
	peer_addr(&p->in.local, "192.0.2.1", 500);
	peer_addr(&p->in.remote, "192.0.2.2", 500);
	builder_init(&b, p->in.data, sizeof(p->in.data), &p->hdr);
	payload_sa_write(&b, prop, (size_t)n);
	ck_assert_int_eq(dh_public(dh, pub, dh_public_len(group)), 0);
	payload_ke_write(&b, group, pub, dh_public_len(group));
	payload_nonce_write(&b, nonce, sizeof(nonce));
	p->in.len = builder_finish(&b);
	ck_assert_int_eq(ike_process(svc, &p->in, &p->out), 1);
	ck_assert_int_eq(message_parse(p->out.data, p->out.len, &msg), PARSE_OK);
	ck_assert_uint_eq(payload_sa_parse(message_find(&msg, PL_SA)->body,
					   message_find(&msg, PL_SA)->len,
					   &chosen, 1), 1);
	payload_ke_parse(message_find(&msg, PL_KE)->body,
			 message_find(&msg, PL_KE)->len, &ke);
	ck_assert_int_eq(dh_derive(dh, ke.data, ke.len, gir, &gir_len), 0);
	dh_free(dh);
	ck_assert_int_eq(keymat_derive_ike(&chosen, gir, gir_len, nonce,
					   sizeof(nonce),
					   message_find(&msg, PL_NONCE)->body,
					   message_find(&msg, PL_NONCE)->len,
					   msg.hdr.spi_i, msg.hdr.spi_r,
					   &p->keys), 0);
	memcpy(p->hdr.spi_r, msg.hdr.spi_r, 8);
	sa = peer_sa(p);
	ck_assert_ptr_nonnull(sa);
	sa->next_request_id = 1;
	snprintf(sa->local_id, sizeof(sa->local_id), "gw.example.org");
	snprintf(sa->remote_id, sizeof(sa->remote_id), "peer.example.org");
	ck_assert_int_eq(sa_table_set_state(svc->sas, sa->unique_id,
					    IKE_SA_ESTABLISHED, conn), 0);
}

static inline int peer_keep(void *arg, const uint8_t *data, size_t len)
{
	struct packet *pkt = arg;

	ck_assert_uint_le(len, sizeof(pkt->data));
	memcpy(pkt->data, data, len);
	pkt->len = len;
	return 0;
}

/* Sends the payloads in chain as the next request of exchange and
 * parses the response the worker cached into p->resp. */
static inline void peer_request(struct test_peer *p, uint8_t exchange,
				struct msg_builder *chain)
{
	struct sk_keys out = { .encr = p->keys.encr, .encr_bits = p->keys.encr_bits,
			       .encr_key = p->keys.sk_ei, .integ = p->keys.integ,
			       .integ_key = p->keys.sk_ai };
	struct sk_keys in = out;
	struct protect_params params = { .fragment_size = 4000, .max_fragments = 1 };
	struct ike_header h = p->hdr;
	struct ike_sa *sa = peer_sa(p);
	size_t plain_len;

	ck_assert_ptr_nonnull(sa);
	builder_finish(chain);
	h.exchange = exchange;
	h.flags = FLAG_INITIATOR;
	h.message_id = p->next_id;
	ck_assert_uint_eq(protect_message(&out, &h, chain->first_type,
					  chain->w.data, chain->w.len, &params,
					  peer_keep, &p->in), 1);
	ck_assert_int_eq(ike_process(p->svc, &p->in, &p->out), 0);
	request_wait_all(p->svc);
	ck_assert_ptr_nonnull(sa->last_response);
	ck_assert_uint_eq(sa->last_response_id, p->next_id);
	p->next_id++;
	ck_assert_int_eq(message_parse(sa->last_response, sa->last_response_len,
				       &p->resp), PARSE_OK);
	in.encr_key = p->keys.sk_er;
	in.integ_key = p->keys.sk_ar;
	ck_assert_uint_le(sa->last_response_len, sizeof(p->plain));
	ck_assert_int_eq(sk_decrypt(&in, sa->last_response, sa->last_response_len,
				    (size_t)(p->resp.encrypted->body -
					     sa->last_response),
				    p->plain, &plain_len), 0);
	/* Payloads must point into p->plain, not the SA's cache. */
	ck_assert_int_eq(message_parse_inner(&p->resp, p->plain, plain_len),
			 PARSE_OK);
}

/* The notify type of the response's first notify, 0 without. */
static inline uint16_t peer_notify(const struct test_peer *p,
				   struct notify_payload *n)
{
	const struct payload *pl = message_find(&p->resp, PL_NOTIFY);

	if (!pl)
		return 0;
	payload_notify_parse(pl->body, pl->len, n);
	return n->type;
}

#endif
