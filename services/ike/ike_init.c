/* IKE_SA_INIT as the responder (RFC 7296 1.2): proposal selection, DH,
 * nonces, NAT detection, key derivation and the response. */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/cookie.h"
#include "ike/dh.h"
#include "ike/exchange.h"
#include "ike/natd.h"
#include "ike/vendor.h"
#include "log.h"

#define MAX_RECEIVED_PROPOSALS 16
/* Bounds the state spoofed IKE_SA_INIT requests can create (they also
 * expire, see receiver.c). */
#define HALF_OPEN_MAX 1000
#define OUR_NONCE_LEN 32

/* What the IKE_SA_INIT request offers. */
struct init_request {
	size_t n_proposals;
	struct proposal proposals[MAX_RECEIVED_PROPOSALS];
	struct ke_payload ke;
	const uint8_t *nonce;
	size_t nonce_len;
	bool frag_supported;
	uint8_t spi_i[8];
};

/* The matching connection's part we need outside the config lock. */
struct init_config {
	char name[64];
	size_t n_proposals;
	struct proposal proposals[CONFIG_MAX_PROPOSALS];
	enum fragmentation fragmentation;
	bool send_certreq;
};

static int read_request(const struct ike_message *msg, struct init_request *r)
{
	const struct payload *sa = message_find(msg, PL_SA);
	const struct payload *ke = message_find(msg, PL_KE);
	const struct payload *nonce = message_find(msg, PL_NONCE);

	if (!sa || !ke || !nonce) {
		DBG1(LOG_IKE, "%s payload missing in IKE_SA_INIT request",
		     !sa ? "SA" : !ke ? "KE" : "Nonce");
		return -1;
	}
	r->n_proposals = payload_sa_parse(sa->body, sa->len, r->proposals,
					  MAX_RECEIVED_PROPOSALS);
	payload_ke_parse(ke->body, ke->len, &r->ke);
	r->nonce = nonce->body;
	r->nonce_len = nonce->len;
	r->frag_supported = message_find_notify(msg, N_IKEV2_FRAGMENTATION_SUPPORTED);
	memcpy(r->spi_i, msg->hdr.spi_i, 8);
	for (size_t i = 0; i < msg->n_payloads; i++)
		if (msg->payloads[i].type == PL_VENDOR)
			vendor_log(msg->payloads[i].body, msg->payloads[i].len);
	return 0;
}

static int load_config(struct ike_service *svc, const struct packet *in,
		       struct init_config *cfg)
{
	const struct conn_cfg *conn;
	char local[64], remote[64];
	int rc = -1;

	pthread_rwlock_rdlock(&svc->config_lock);
	conn = svc->config ? config_match(svc->config, &in->local, &in->remote) :
			     NULL;
	if (conn) {
		snprintf(cfg->name, sizeof(cfg->name), "%s", conn->name);
		cfg->n_proposals = conn->n_proposals;
		memcpy(cfg->proposals, conn->proposals,
		       conn->n_proposals * sizeof(conn->proposals[0]));
		cfg->fragmentation = conn->fragmentation;
		cfg->send_certreq = conn->send_certreq;
		rc = 0;
	}
	pthread_rwlock_unlock(&svc->config_lock);
	if (rc < 0) {
		sockaddr_format(&in->local, local, sizeof(local));
		sockaddr_format(&in->remote, remote, sizeof(remote));
		DBG1(LOG_IKE, "no IKE config found for %s...%s, sending "
		     "NO_PROPOSAL_CHOSEN", local, remote);
	}
	return rc;
}

/* The configured proposals narrowed to one DH group (those without it
 * are left out). */
static size_t with_group_only(const struct init_config *cfg, uint16_t group,
			      struct proposal *out)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_proposals; i++) {
		const struct proposal *p = &cfg->proposals[i];

		if (!proposal_has(p, TRANS_DH, group, 0))
			continue;
		out[n] = *p;
		out[n].count = 0;
		for (size_t t = 0; t < p->count; t++)
			if (p->transforms[t].type != TRANS_DH ||
			    p->transforms[t].id == group)
				proposal_add(&out[n], p->transforms[t].type,
					     p->transforms[t].id,
					     p->transforms[t].key_length);
		n++;
	}
	return n;
}

/* Prefers the group the peer already sent a KE for (saves a round
 * trip); *want_group is set when only another group fits. */
static bool choose_proposal(const struct init_config *cfg,
			    const struct init_request *r,
			    struct proposal *selected, uint16_t *want_group)
{
	struct proposal narrowed[CONFIG_MAX_PROPOSALS];
	size_t n = with_group_only(cfg, r->ke.group, narrowed);
	const struct transform *dh;

	*want_group = 0;
	if (n && proposal_find(narrowed, n, r->proposals, r->n_proposals,
			       selected)) {
		proposal_log_selected(selected);
		return true;
	}
	if (!proposal_select(cfg->proposals, cfg->n_proposals, r->proposals,
			     r->n_proposals, selected))
		return false;
	dh = proposal_first(selected, TRANS_DH);
	*want_group = dh ? dh->id : 0;
	return true;
}

static void response_header(const struct ike_header *req, const uint8_t spi_r[8],
			    struct ike_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, req->spi_i, 8);
	memcpy(h->spi_r, spi_r, 8);
	h->version = IKE_MAJOR_VERSION << 4;
	h->exchange = IKE_SA_INIT;
	h->flags = FLAG_RESPONSE;
	h->message_id = 0;
}

/* An error response without state: responder SPI zero. */
int ike_init_notify(const struct packet *in, const struct ike_message *msg,
		       uint16_t type, const uint8_t *data, size_t len,
		       struct packet *out)
{
	static const uint8_t zero_spi[8];
	struct notify_payload n = { .type = type, .data = data, .len = len };
	struct ike_header h;
	struct msg_builder b;

	response_header(&msg->hdr, zero_spi, &h);
	builder_init(&b, out->data, sizeof(out->data), &h);
	payload_notify_write(&b, &n);
	return exchange_finish_plain(&b, in, out);
}

static int invalid_ke(const struct packet *in, const struct ike_message *msg,
		      uint16_t have, uint16_t want, struct packet *out)
{
	uint8_t group[2] = { (uint8_t)(want >> 8), (uint8_t)want };
	struct transform t_have = { TRANS_DH, have, 0 }, t_want = { TRANS_DH, want, 0 };
	char a[32], b[32];

	transform_format(&t_have, a, sizeof(a));
	transform_format(&t_want, b, sizeof(b));
	DBG1(LOG_IKE, "DH group %s unacceptable, requesting %s", a, b);
	return ike_init_notify(in, msg, N_INVALID_KE_PAYLOAD, group, 2, out);
}

static void write_flag(struct msg_builder *b, uint16_t type)
{
	struct notify_payload n = { .type = type };

	payload_notify_write(b, &n);
}

static int build_response(struct ike_service *svc, const struct ike_sa *sa,
			  const struct dh *dh, bool send_certreq,
			  const struct ike_message *msg, const struct packet *in,
			  bool send_frag, struct packet *out)
{
	uint8_t pub[DH_MAX_PUBLIC], spi_r[8];
	size_t pub_len = dh_public_len(dh_group(dh));
	struct ike_header h;
	struct msg_builder b;

	if (dh_public(dh, pub, pub_len) < 0)
		return 0;
	memcpy(spi_r, &sa->spi_r, 8);
	response_header(&msg->hdr, spi_r, &h);
	builder_init(&b, out->data, sizeof(out->data), &h);
	payload_sa_write(&b, &sa->proposal, 1);
	payload_ke_write(&b, dh_group(dh), pub, pub_len);
	payload_nonce_write(&b, sa->nr, sa->nr_len);
	natd_write(&b, &h, &in->local, &in->remote);
	if (send_certreq)
		certreq_write(&svc->certreq, &b);
	if (send_frag)
		write_flag(&b, N_IKEV2_FRAGMENTATION_SUPPORTED);
	write_flag(&b, N_CHILDLESS_IKEV2_SUPPORTED);
	write_flag(&b, N_MULTIPLE_AUTH_SUPPORTED);
	return exchange_finish_plain(&b, in, out);
}

/* The rest of IKE_SA_INIT, the costly part, for the crypto pool: the
 * request (parsed again from this copy) and its SA, held busy. */
struct init_job {
	struct ike_service *svc;
	struct ike_sa *sa;
	bool send_certreq;
	bool send_frag;
	bool keep_sa;		/* set once the response is cached */
	struct packet in;
	struct packet out;
};

/* The new SA, CONNECTING and busy before any crypto, so a retransmit
 * of the request finds it (dispatch.c) instead of creating another;
 * NULL when out of memory or randomness. */
static struct ike_sa *create_sa(struct ike_service *svc, const struct packet *in,
				const struct init_request *r,
				const struct init_config *cfg,
				const struct proposal *selected)
{
	struct ike_sa *sa = sa_table_add_responder(svc->sas, r->spi_i);

	if (!sa)
		return NULL;
	sa->busy = true;
	sa->local = in->local;
	sa->remote = in->remote;
	sa->created = sa_table_now();
	sa->proposal = *selected;
	sa->ni_len = r->nonce_len;
	memcpy(sa->ni, r->nonce, r->nonce_len);
	sa->nr_len = OUR_NONCE_LEN;
	sa->peer_frag_supported = r->frag_supported;
	sa->fragmentation = cfg->fragmentation;
	sa->next_request_id = 1;
	reassembly_init(&sa->reassembly, &svc->frag_budget,
			FRAGMENTS_MAX_DEFAULT, REASSEMBLY_SA_MAX_DEFAULT);
	if (RAND_bytes(sa->nr, OUR_NONCE_LEN) != 1) {
		sa_table_remove(svc->sas, sa->unique_id);
		return NULL;
	}
	sa_table_set_state(svc->sas, sa->unique_id, IKE_SA_CONNECTING, cfg->name);
	return sa;
}

static int derive_keys(struct ike_sa *sa, const struct ike_message *msg,
		       const uint8_t *gir, size_t gir_len)
{
	return keymat_derive_ike(&sa->proposal, gir, gir_len, sa->ni, sa->ni_len,
				 sa->nr, sa->nr_len, msg->hdr.spi_i,
				 (const uint8_t *)&sa->spi_r, &sa->keys);
}

/* Keys, response and its cache on job->sa; returns 1 with a response
 * in out (with job->keep_sa set unless it is an error notify). */
static int finish(struct init_job *job, struct packet *out)
{
	const struct packet *in = &job->in;
	struct ike_sa *sa = job->sa;
	uint8_t gir[DH_MAX_SECRET];
	size_t gir_len;
	struct ike_message msg;
	const struct payload *ke_payload;
	struct ke_payload ke;
	struct dh *dh;
	int rc = 0;

	/* Checked before the hand-off; the copy parses the same. */
	if (message_parse(in->data, in->len, &msg) != PARSE_OK)
		return 0;
	ke_payload = message_find(&msg, PL_KE);
	payload_ke_parse(ke_payload->body, ke_payload->len, &ke);
	dh = dh_create(ke.group);
	if (!dh)
		return 0;
	if (dh_derive(dh, ke.data, ke.len, gir, &gir_len) < 0) {
		dh_free(dh);
		return ike_init_notify(in, &msg, N_INVALID_SYNTAX, NULL, 0, out);
	}
	if (derive_keys(sa, &msg, gir, gir_len) == 0) {
		sa->nat = natd_detect(&msg, &in->local, &in->remote,
				      &sa->local_nat);
		rc = build_response(job->svc, sa, dh, job->send_certreq, &msg, in,
				    job->send_frag, out);
		job->keep_sa = rc == 1 &&
			sa_table_cache_response(sa, 0, out->data, out->len) == 0 &&
			sa_table_keep_init(sa, in->data, in->len, out->data,
					   out->len) == 0;
		rc = job->keep_sa;
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	dh_free(dh);
	return rc;
}

/* On a pool thread: the response goes out from here, and the SA is
 * released, or left DELETING for the packet thread to free (it may
 * hold the pointer from a lookup). */
static void finish_on_pool(void *arg)
{
	struct init_job *job = arg;
	struct ike_service *svc = job->svc;

	if (finish(job, &job->out))
		ike_send_logged(svc, &job->out);
	if (!job->keep_sa)
		sa_table_set_state(svc->sas, job->sa->unique_id, IKE_SA_DELETING,
				   NULL);
	job->sa->busy = false;
	free(job);
}

static struct init_job *new_job(struct ike_service *svc, struct ike_sa *sa,
				const struct packet *in,
				const struct init_request *r,
				const struct init_config *cfg)
{
	struct init_job *job = malloc(sizeof(*job));

	if (!job)
		return NULL;
	job->svc = svc;
	job->sa = sa;
	job->send_certreq = cfg->send_certreq;
	job->send_frag = r->frag_supported && cfg->fragmentation != FRAG_NO;
	job->keep_sa = false;
	job->in.local = in->local;
	job->in.remote = in->remote;
	job->in.len = in->len;
	memcpy(job->in.data, in->data, in->len);
	return job;
}

/* The SA is created here; DH and the rest go to the crypto pool, or
 * run right here when there is none (unit tests, out of memory). */
static int respond(struct ike_service *svc, const struct packet *in,
		   const struct init_request *r, const struct init_config *cfg,
		   const struct proposal *selected, struct packet *out)
{
	struct ike_sa *sa = create_sa(svc, in, r, cfg, selected);
	struct init_job *job = sa ? new_job(svc, sa, in, r, cfg) : NULL;
	int rc;

	if (!job) {
		if (sa)
			sa_table_remove(svc->sas, sa->unique_id);
		return 0;
	}
	if (crypto_pool_submit(&svc->crypto, finish_on_pool, job) == 0)
		return 0;
	rc = finish(job, out);
	if (job->keep_sa)
		sa->busy = false;
	else
		sa_table_remove(svc->sas, sa->unique_id);
	free(job);
	return rc;
}

/* COOKIE and the per-peer limit (cookie.c): -1 to go on, else what
 * ike_init_respond returns. */
static int screen(struct ike_service *svc, const struct packet *in,
		  const struct ike_message *msg, size_t half_open,
		  struct packet *out)
{
	uint8_t cookie[COOKIE_LEN];
	size_t from_peer = sa_table_count_half_open_from(svc->sas, &in->remote);

	switch (cookie_screen(&svc->cookies, (uint32_t)sa_table_now(), half_open,
			      from_peer, in, msg, cookie)) {
	case COOKIE_DEMAND:
		return ike_init_notify(in, msg, N_COOKIE, cookie, sizeof(cookie),
				       out);
	case COOKIE_DROP:
		return 0;
	default:
		return -1;
	}
}

int ike_init_respond(struct ike_service *svc, const struct packet *in,
		     const struct ike_message *msg, struct packet *out)
{
	struct init_request r;
	struct init_config cfg;
	struct proposal selected;
	uint16_t want_group;
	char host[INET6_ADDRSTRLEN];
	size_t half_open = sa_table_count_half_open(svc->sas);
	int screened = screen(svc, in, msg, half_open, out);

	if (screened >= 0)
		return screened;
	sockaddr_host(&in->remote, host, sizeof(host));
	if (half_open >= HALF_OPEN_MAX) {
		DBG1(LOG_IKE, "ignoring IKE_SA setup from %s, half open IKE_SA "
		     "count of %zu exceeds limit of %d", host, half_open,
		     HALF_OPEN_MAX);
		return 0;
	}
	if (read_request(msg, &r) < 0)
		return 0;
	DBG1(LOG_IKE, "%s is initiating an IKE_SA", host);
	if (load_config(svc, in, &cfg) < 0)
		return ike_init_notify(in, msg, N_NO_PROPOSAL_CHOSEN, NULL, 0, out);
	if (!choose_proposal(&cfg, &r, &selected, &want_group)) {
		DBG1(LOG_IKE, "no acceptable proposal found");
		return ike_init_notify(in, msg, N_NO_PROPOSAL_CHOSEN, NULL, 0, out);
	}
	if (want_group)
		return invalid_ke(in, msg, r.ke.group, want_group, out);
	return respond(svc, in, &r, &cfg, &selected, out);
}
