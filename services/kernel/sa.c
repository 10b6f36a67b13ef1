#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/udp.h>
#include <string.h>

#include "parse.h"
#include "sa.h"
#include "selector.h"

/* Replay windows up to 32 packets fit the legacy bitmap; larger ones and
 * ESN need XFRMA_REPLAY_ESN_VAL (as strongSwan does). */
#define LEGACY_REPLAY_MAX 32

void knl_sa_wipe(struct knl_sa *sa)
{
	explicit_bzero(sa->encr_key, sizeof(sa->encr_key));
	explicit_bzero(sa->integ_key, sizeof(sa->integ_key));
	sa->encr_key_len = 0;
	sa->integ_key_len = 0;
}

static uint64_t limit(uint64_t value)
{
	return value ? value : XFRM_INF;
}

static void put_lifetime(struct xfrm_lifetime_cfg *lft,
			 const struct knl_lifetime *l)
{
	lft->soft_byte_limit = limit(l->soft_bytes);
	lft->hard_byte_limit = limit(l->hard_bytes);
	lft->soft_packet_limit = limit(l->soft_packets);
	lft->hard_packet_limit = limit(l->hard_packets);
	lft->soft_add_expires_seconds = l->soft_seconds;
	lft->hard_add_expires_seconds = l->hard_seconds;
}

/* xfrm_algo, xfrm_algo_auth and xfrm_algo_aead share the name and key
 * length fields; the latter two add one length (ICV or truncation). */
static void put_algo(struct nlmsghdr *nlh, uint16_t type,
		     const struct knl_alg *alg, const uint8_t *key,
		     size_t key_len)
{
	uint8_t attr[sizeof(struct xfrm_algo_aead) + KNL_KEY_MAX];
	struct xfrm_algo_aead *algo = (struct xfrm_algo_aead *)attr;
	size_t head = type == XFRMA_ALG_CRYPT ? sizeof(struct xfrm_algo)
					      : sizeof(struct xfrm_algo_aead);

	memset(attr, 0, sizeof(attr));
	strncpy(algo->alg_name, alg->kernel_name, sizeof(algo->alg_name) - 1);
	algo->alg_key_len = (unsigned int)key_len * 8;
	if (type != XFRMA_ALG_CRYPT)
		algo->alg_icv_len = alg->icv_bits;
	memcpy(attr + head, key, key_len);
	mnl_attr_put(nlh, type, head + key_len, attr);
	explicit_bzero(attr, sizeof(attr));
}

static void put_replay(struct nlmsghdr *nlh, struct xfrm_usersa_info *info,
		       const struct knl_sa *sa)
{
	uint8_t attr[sizeof(struct xfrm_replay_state_esn) +
		     XFRMA_REPLAY_ESN_MAX / 8];
	struct xfrm_replay_state_esn *esn = (struct xfrm_replay_state_esn *)attr;
	uint32_t words = (sa->replay_window + 31) / 32;

	if (!sa->esn && sa->replay_window <= LEGACY_REPLAY_MAX) {
		info->replay_window = (uint8_t)sa->replay_window;
		return;
	}
	memset(attr, 0, sizeof(attr));
	esn->bmp_len = words;
	esn->replay_window = sa->replay_window;
	mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL,
		     sizeof(*esn) + words * sizeof(uint32_t), attr);
	if (sa->esn)
		info->flags |= XFRM_STATE_ESN;
}

static void put_encap(struct nlmsghdr *nlh, const struct knl_sa *sa)
{
	struct xfrm_encap_tmpl encap;

	memset(&encap, 0, sizeof(encap));
	encap.encap_type = UDP_ENCAP_ESPINUDP;
	encap.encap_sport = htons(sa->src.port);
	encap.encap_dport = htons(sa->dst.port);
	mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(encap), &encap);
}

static void put_mark(struct nlmsghdr *nlh, const struct knl_mark *mark,
		     uint32_t if_id)
{
	if (mark->mask) {
		struct xfrm_mark m = { .v = mark->value, .m = mark->mask };
		mnl_attr_put(nlh, XFRMA_MARK, sizeof(m), &m);
	}
	if (if_id)
		mnl_attr_put_u32(nlh, XFRMA_IF_ID, if_id);
}

static void put_info(struct xfrm_usersa_info *info, const struct knl_sa *sa)
{
	memset(info, 0, sizeof(*info));
	info->family = sa->src.family;
	memcpy(&info->saddr, sa->src.ip, sizeof(sa->src.ip));
	memcpy(&info->id.daddr, sa->dst.ip, sizeof(sa->dst.ip));
	info->id.spi = htonl(sa->spi);
	info->id.proto = sa->proto;
	info->reqid = sa->reqid;
	info->mode = sa->mode;
	put_lifetime(&info->lft, &sa->lifetime);
	if (sa->mode == XFRM_MODE_TUNNEL) {
		/* the inner family may differ from the outer one */
		info->flags |= XFRM_STATE_AF_UNSPEC;
	} else if (sa->has_ts) {
		selector_from_ts(&info->sel, &sa->src_ts, &sa->dst_ts);
	} else {
		struct knl_ts src = { .family = sa->src.family, .to_port = 0xffff };
		struct knl_ts dst = src;

		memcpy(src.from, sa->src.ip, 16);
		memcpy(src.to, sa->src.ip, 16);
		memcpy(dst.from, sa->dst.ip, 16);
		memcpy(dst.to, sa->dst.ip, 16);
		selector_from_ts(&info->sel, &src, &dst);
	}
}

struct nlmsghdr *sa_build(void *buf, const struct knl_sa *sa, bool update)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_info *info;

	nlh->nlmsg_type = update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA;
	info = mnl_nlmsg_put_extra_header(nlh, sizeof(*info));
	put_info(info, sa);
	if (sa->encr->kind == KNL_ALG_AEAD) {
		put_algo(nlh, XFRMA_ALG_AEAD, sa->encr, sa->encr_key,
			 sa->encr_key_len);
	} else {
		put_algo(nlh, XFRMA_ALG_CRYPT, sa->encr, sa->encr_key,
			 sa->encr_key_len);
		put_algo(nlh, XFRMA_ALG_AUTH_TRUNC, sa->integ, sa->integ_key,
			 sa->integ_key_len);
	}
	put_replay(nlh, info, sa);
	if (sa->udp_encap)
		put_encap(nlh, sa);
	put_mark(nlh, &sa->mark, sa->if_id);
	return nlh;
}

int sa_install(struct nl_sock *nl, const struct knl_sa *sa, bool update,
	       struct nl_error *err)
{
	uint8_t buf[NL_BUFSIZE / 4];
	int rc;

	rc = nl_request(nl, sa_build(buf, sa, update), NULL, NULL, err);
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

struct nlmsghdr *sa_build_id(void *buf, uint16_t type,
			     const struct knl_sa_id *id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_id *sid;

	nlh->nlmsg_type = type;
	sid = mnl_nlmsg_put_extra_header(nlh, sizeof(*sid));
	memcpy(&sid->daddr, id->dst.ip, sizeof(id->dst.ip));
	sid->spi = htonl(id->spi);
	sid->family = id->dst.family;
	sid->proto = id->proto;
	put_mark(nlh, &id->mark, 0);
	return nlh;
}

int sa_delete(struct nl_sock *nl, const struct knl_sa_id *id,
	      struct nl_error *err)
{
	uint8_t buf[1024];

	return nl_request(nl, sa_build_id(buf, XFRM_MSG_DELSA, id), NULL,
			  NULL, err);
}

int sa_query(struct nl_sock *nl, const struct knl_sa_id *id,
	     struct knl_sa_info *out, struct nl_error *err)
{
	uint8_t buf[1024];

	return nl_get(nl, sa_build_id(buf, XFRM_MSG_GETSA, id), XFRM_MSG_NEWSA,
		      parse_sa_reply, out, ESRCH, err);
}
