#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/udp.h>
#include <string.h>

#include "parse.h"
#include "selector.h"

/* Copies the fixed header of a message, if the message is long enough.
 * Netlink aligns messages to 4 bytes, the XFRM structs hold 64-bit
 * counters: a copy is aligned, the message in a dump buffer may not be. */
static bool body(const struct nlmsghdr *nlh, void *out, size_t len)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN ||
	    mnl_nlmsg_get_payload_len(nlh) < len)
		return false;
	memcpy(out, mnl_nlmsg_get_payload(nlh), len);
	return true;
}

static bool family_ok(uint16_t family)
{
	return family == AF_INET || family == AF_INET6;
}

static void set_addr(struct knl_addr *addr, uint16_t family,
		     const xfrm_address_t *raw)
{
	memset(addr, 0, sizeof(*addr));
	addr->family = family;
	memcpy(addr->ip, raw, sizeof(addr->ip));
}

/* Attributes whose payload must be at least min bytes. */
static const struct nlattr *attr_min(const struct nlattr *attr, size_t min)
{
	return mnl_attr_get_payload_len(attr) >= min ? attr : NULL;
}

/* Name field of an xfrm_algo*: bounded, must be NUL-terminated. */
static bool algo_name(const struct nlattr *attr, char name[64])
{
	const char *raw = mnl_attr_get_payload(attr);

	if (!memchr(raw, '\0', 64))
		return false;
	memcpy(name, raw, 64);
	return true;
}

static int sa_attr(const struct nlattr *attr, struct knl_sa_info *out)
{
	struct knl_sa *sa = &out->sa;
	char name[64];

	switch (mnl_attr_get_type(attr)) {
	case XFRMA_ALG_CRYPT:
		if (!attr_min(attr, sizeof(struct xfrm_algo)) ||
		    !algo_name(attr, name))
			return -1;
		sa->encr = knl_alg_by_kernel_name(KNL_ALG_CRYPT, name, 0);
		sa->encr_key_bits = (uint16_t)((const struct xfrm_algo *)
			mnl_attr_get_payload(attr))->alg_key_len;
		out->larval = false;
		break;
	case XFRMA_ALG_AEAD: {
		const struct xfrm_algo_aead *aead = mnl_attr_get_payload(attr);
		if (!attr_min(attr, sizeof(*aead)) || !algo_name(attr, name))
			return -1;
		sa->encr = knl_alg_by_kernel_name(KNL_ALG_AEAD, name,
						  (uint16_t)aead->alg_icv_len);
		sa->encr_key_bits = (uint16_t)aead->alg_key_len;
		if (sa->encr && sa->encr_key_bits >= sa->encr->salt_bytes * 8)
			sa->encr_key_bits -= sa->encr->salt_bytes * 8;
		out->larval = false;
		break;
	}
	case XFRMA_ALG_AUTH_TRUNC: {
		const struct xfrm_algo_auth *auth = mnl_attr_get_payload(attr);
		if (!attr_min(attr, sizeof(*auth)) || !algo_name(attr, name))
			return -1;
		sa->integ = knl_alg_by_kernel_name(KNL_ALG_AUTH, name,
						   (uint16_t)auth->alg_trunc_len);
		out->larval = false;
		break;
	}
	case XFRMA_ENCAP: {
		const struct xfrm_encap_tmpl *encap = mnl_attr_get_payload(attr);
		if (!attr_min(attr, sizeof(*encap)))
			return -1;
		sa->udp_encap = encap->encap_type == UDP_ENCAP_ESPINUDP;
		sa->src.port = ntohs(encap->encap_sport);
		sa->dst.port = ntohs(encap->encap_dport);
		break;
	}
	case XFRMA_REPLAY_ESN_VAL: {
		const struct xfrm_replay_state_esn *esn =
			mnl_attr_get_payload(attr);
		if (!attr_min(attr, sizeof(*esn)))
			return -1;
		sa->replay_window = esn->replay_window;
		break;
	}
	case XFRMA_MARK: {
		const struct xfrm_mark *mark = mnl_attr_get_payload(attr);
		if (!attr_min(attr, sizeof(*mark)))
			return -1;
		sa->mark.value = mark->v;
		sa->mark.mask = mark->m;
		break;
	}
	case XFRMA_IF_ID:
		if (!attr_min(attr, sizeof(uint32_t)))
			return -1;
		sa->if_id = mnl_attr_get_u32(attr);
		break;
	case XFRMA_LASTUSED:
		if (!attr_min(attr, sizeof(uint64_t)))
			return -1;
		memcpy(&out->usage.last_used, mnl_attr_get_payload(attr),
		       sizeof(uint64_t));
		break;
	}
	return 0;
}

/* Walks the attributes after a fixed header of hdrlen bytes. */
static int sa_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
		    struct knl_sa_info *out)
{
	const struct nlattr *attr;
	size_t offset = MNL_ALIGN(hdrlen);

	if (mnl_nlmsg_get_payload_len(nlh) < offset)
		return 0;
	mnl_attr_for_each(attr, nlh, offset) {
		if (sa_attr(attr, out) < 0)
			return -1;
	}
	return 0;
}

static int sa_info(const struct xfrm_usersa_info *info,
		   struct knl_sa_info *out)
{
	struct knl_sa *sa = &out->sa;

	if (!family_ok(info->family))
		return -1;
	memset(out, 0, sizeof(*out));
	set_addr(&sa->src, info->family, &info->saddr);
	set_addr(&sa->dst, info->family, &info->id.daddr);
	sa->spi = ntohl(info->id.spi);
	sa->proto = info->id.proto;
	sa->mode = info->mode;
	sa->reqid = info->reqid;
	sa->replay_window = info->replay_window;
	sa->esn = info->flags & XFRM_STATE_ESN;
	sa->lifetime.soft_seconds = info->lft.soft_add_expires_seconds;
	sa->lifetime.hard_seconds = info->lft.hard_add_expires_seconds;
	sa->lifetime.soft_bytes = info->lft.soft_byte_limit == XFRM_INF
					  ? 0 : info->lft.soft_byte_limit;
	sa->lifetime.hard_bytes = info->lft.hard_byte_limit == XFRM_INF
					  ? 0 : info->lft.hard_byte_limit;
	sa->lifetime.soft_packets = info->lft.soft_packet_limit == XFRM_INF
					    ? 0 : info->lft.soft_packet_limit;
	sa->lifetime.hard_packets = info->lft.hard_packet_limit == XFRM_INF
					    ? 0 : info->lft.hard_packet_limit;
	if (info->mode == XFRM_MODE_TRANSPORT && family_ok(info->sel.family)) {
		sa->has_ts = true;
		selector_to_ts(&info->sel, true, &sa->src_ts);
		selector_to_ts(&info->sel, false, &sa->dst_ts);
	}
	out->usage.bytes = info->curlft.bytes;
	out->usage.packets = info->curlft.packets;
	out->usage.add_time = info->curlft.add_time;
	out->usage.use_time = info->curlft.use_time;
	out->larval = true;	/* until an algorithm shows up */
	return 0;
}

int parse_sa(const struct nlmsghdr *nlh, struct knl_sa_info *out)
{
	struct xfrm_usersa_info info;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || !body(nlh, &info, sizeof(info)))
		return -1;
	if (sa_info(&info, out) < 0)
		return -1;
	return sa_attrs(nlh, sizeof(info), out);
}

int parse_expire(const struct nlmsghdr *nlh, struct knl_expire *out)
{
	struct xfrm_user_expire exp;

	if (nlh->nlmsg_type != XFRM_MSG_EXPIRE || !body(nlh, &exp, sizeof(exp)))
		return -1;
	if (sa_info(&exp.state, &out->sa) < 0)
		return -1;
	out->hard = exp.hard != 0;
	return sa_attrs(nlh, sizeof(exp), &out->sa);
}

static int tmpl_attr(const struct nlattr *attr, struct knl_policy *out)
{
	const struct xfrm_user_tmpl *tmpl = mnl_attr_get_payload(attr);

	/* several templates (bundles) are never ours: the first decides */
	if (!attr_min(attr, sizeof(*tmpl)))
		return -1;
	out->has_tmpl = true;
	if (family_ok(tmpl->family)) {
		set_addr(&out->tmpl_src, tmpl->family, &tmpl->saddr);
		set_addr(&out->tmpl_dst, tmpl->family, &tmpl->id.daddr);
	}
	out->tmpl_proto = tmpl->id.proto;
	out->mode = tmpl->mode;
	out->reqid = tmpl->reqid;
	return 0;
}

static int policy_attr(const struct nlattr *attr, struct knl_policy *out)
{
	switch (mnl_attr_get_type(attr)) {
	case XFRMA_TMPL:
		return tmpl_attr(attr, out);
	case XFRMA_MARK: {
		const struct xfrm_mark *mark = mnl_attr_get_payload(attr);
		if (!attr_min(attr, sizeof(*mark)))
			return -1;
		out->mark.value = mark->v;
		out->mark.mask = mark->m;
		return 0;
	}
	case XFRMA_IF_ID:
		if (!attr_min(attr, sizeof(uint32_t)))
			return -1;
		out->if_id = mnl_attr_get_u32(attr);
		return 0;
	}
	return 0;
}

int parse_sa_reply(const struct nlmsghdr *nlh, void *out)
{
	return parse_sa(nlh, out);
}

int parse_policy(const struct nlmsghdr *nlh, struct knl_policy *out)
{
	struct xfrm_userpolicy_info info;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    !body(nlh, &info, sizeof(info)))
		return -1;
	memset(out, 0, sizeof(*out));
	out->sel = info.sel;
	out->dir = info.dir;
	out->priority = info.priority;
	out->use_time = info.curlft.use_time;
	if (mnl_nlmsg_get_payload_len(nlh) < MNL_ALIGN(sizeof(info)))
		return 0;
	mnl_attr_for_each(attr, nlh, MNL_ALIGN(sizeof(info))) {
		if (policy_attr(attr, out) < 0)
			return -1;
	}
	return 0;
}

int parse_acquire(const struct nlmsghdr *nlh, struct knl_acquire *out)
{
	struct xfrm_user_acquire acq;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != XFRM_MSG_ACQUIRE ||
	    !body(nlh, &acq, sizeof(acq)) || !family_ok(acq.sel.family))
		return -1;
	memset(out, 0, sizeof(*out));
	selector_to_ts(&acq.sel, true, &out->src_ts);
	selector_to_ts(&acq.sel, false, &out->dst_ts);
	out->proto = acq.id.proto;
	if (mnl_nlmsg_get_payload_len(nlh) < MNL_ALIGN(sizeof(acq)))
		return 0;
	mnl_attr_for_each(attr, nlh, MNL_ALIGN(sizeof(acq))) {
		const struct xfrm_user_tmpl *tmpl = mnl_attr_get_payload(attr);

		if (mnl_attr_get_type(attr) != XFRMA_TMPL)
			continue;
		if (!attr_min(attr, sizeof(*tmpl)))
			return -1;
		out->reqid = tmpl->reqid;
		out->proto = tmpl->id.proto;
	}
	return 0;
}
