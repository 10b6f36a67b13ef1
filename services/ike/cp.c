#include "ike/cp.h"

#include <stdlib.h>
#include <string.h>

#include "ike/message.h"

#define IP6_PREFIX_HOST 128

static bool have_family(const struct cp_wanted *w, size_t len)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->len[i] == len)
			return true;
	return false;
}

/* The INTERNAL_IP4/6_ADDRESS attributes of a CP of type, one per family;
 * empty values only where they mean "any" (requests). */
static void addresses(const struct cp_payload *cp, uint8_t type,
		      struct cp_wanted *out)
{
	memset(out, 0, sizeof(*out));
	if (cp->type != type)
		return;
	for (size_t i = 0; i < cp->n_attrs && out->n < CP_VIPS_MAX; i++) {
		const struct cp_attr *a = &cp->attrs[i];
		size_t len;

		if (a->type == CP_INTERNAL_IP4_ADDRESS)
			len = 4;
		else if (a->type == CP_INTERNAL_IP6_ADDRESS)
			len = 16;
		else
			continue;
		if (have_family(out, len))
			continue;
		/* An empty value asks for any address; IPv6 values carry a
		 * prefix length after the address. */
		if (a->len >= len)
			memcpy(out->addr[out->n], a->value, len);
		else if (type == CFG_REPLY)
			continue;
		out->len[out->n++] = len;
	}
}

void cp_requested(const struct cp_payload *cp, struct cp_wanted *out)
{
	addresses(cp, CFG_REQUEST, out);
}

void cp_assigned(const struct cp_payload *cp, struct cp_wanted *out)
{
	addresses(cp, CFG_REPLY, out);
}

void cp_write_request(struct msg_builder *b, const struct vip_cfg *vips,
		      size_t n)
{
	struct cp_payload *req = calloc(1, sizeof(*req));
	uint8_t addr6[17] = { [16] = IP6_PREFIX_HOST };
	static const uint8_t zero[16];

	if (!req)
		return;
	req->type = CFG_REQUEST;
	for (size_t i = 0; i < n && i < CP_VIPS_MAX; i++) {
		struct cp_attr *a = &req->attrs[req->n_attrs++];
		bool any = memcmp(vips[i].addr, zero, vips[i].len) == 0;

		if (vips[i].len == 4) {
			*a = (struct cp_attr){ CP_INTERNAL_IP4_ADDRESS,
					       vips[i].addr, any ? 0 : 4 };
			continue;
		}
		memcpy(addr6, vips[i].addr, 16);
		*a = (struct cp_attr){ CP_INTERNAL_IP6_ADDRESS, addr6,
				       any ? 0 : 17 };
	}
	payload_cp_write(b, req);
	free(req);
}

static bool seen_before(const struct lease *leases, size_t li, size_t ai)
{
	const struct lease_attr *x = &leases[li].attrs[ai];

	for (size_t l = 0; l <= li; l++)
		for (size_t a = 0; a < (l == li ? ai : leases[l].n_attrs); a++) {
			const struct lease_attr *y = &leases[l].attrs[a];

			if (y->type == x->type && y->len == x->len &&
			    memcmp(y->value, x->value, x->len) == 0)
				return true;
		}
	return false;
}

void cp_write_reply(struct msg_builder *b, const struct lease *leases,
		    size_t n)
{
	struct cp_payload *reply = calloc(1, sizeof(*reply));
	uint8_t addr6[CP_VIPS_MAX][17];

	if (!reply)
		return;
	reply->type = CFG_REPLY;
	for (size_t i = 0; i < n && i < CP_VIPS_MAX; i++) {
		struct cp_attr *a = &reply->attrs[reply->n_attrs++];

		if (leases[i].addr_len == 4) {
			*a = (struct cp_attr){ CP_INTERNAL_IP4_ADDRESS,
					       leases[i].addr, 4 };
			continue;
		}
		memcpy(addr6[i], leases[i].addr, 16);
		addr6[i][16] = IP6_PREFIX_HOST;
		*a = (struct cp_attr){ CP_INTERNAL_IP6_ADDRESS, addr6[i], 17 };
	}
	for (size_t l = 0; l < n; l++)
		for (size_t i = 0; i < leases[l].n_attrs &&
		     reply->n_attrs < CP_MAX_ATTRS; i++)
			if (!seen_before(leases, l, i))
				reply->attrs[reply->n_attrs++] = (struct cp_attr){
					leases[l].attrs[i].type,
					leases[l].attrs[i].value,
					leases[l].attrs[i].len };
	payload_cp_write(b, reply);
	free(reply);
}
