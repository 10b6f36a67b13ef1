#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>

#include "adopt.h"
#include "parse.h"
#include "policy.h"

bool owner_reqid(const struct owner *o, uint32_t reqid)
{
	return reqid >= o->reqid_min && reqid <= o->reqid_max;
}

bool owner_sa(const struct owner *o, const struct knl_sa_info *sa)
{
	return owner_reqid(o, sa->sa.reqid);
}

bool owner_policy(const struct owner *o, const struct knl_policy *p)
{
	if (p->has_tmpl)
		return owner_reqid(o, p->reqid);
	return policy_is_bypass(p, o->bypass_ports, o->n_bypass);
}

/* Grows an array of elements of size bytes to hold one more. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t want;
	void *nv;

	if (n < *cap)
		return v;
	want = *cap ? *cap * 2 : 16;
	nv = realloc(v, want * size);
	if (!nv)
		return NULL;
	*cap = want;
	return nv;
}

/* One dump into a table: keep() decodes an entry into item and says
 * whether it is ours (1), not ours (0) or malformed (-1). */
struct dump {
	const struct owner *owner;
	int (*keep)(const struct owner *o, const struct nlmsghdr *nlh,
		    void *item);
	void *item;
	void **v;
	size_t *n;
	size_t *cap;
	size_t size;
	bool nomem;
};

static int dump_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	int ours = d->keep(d->owner, nlh, d->item);
	uint8_t *v;

	if (ours <= 0)
		return ours;
	v = grow(*d->v, *d->n, d->cap, d->size);
	if (!v) {
		d->nomem = true;
		return 0;
	}
	*d->v = v;
	memcpy(v + *d->n * d->size, d->item, d->size);
	(*d->n)++;
	return 0;
}

static int dump(struct nl_sock *nl, uint16_t type, struct dump *d,
		struct nl_error *err)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_DUMP;
	*d->n = 0;
	if (nl_request(nl, nlh, dump_entry, d, err) < 0)
		return -1;
	if (d->nomem) {
		nl_error_set(err, type, 0, ENOMEM, "table of owned entries");
		return -1;
	}
	return 0;
}

static int keep_sa(const struct owner *o, const struct nlmsghdr *nlh,
		   void *item)
{
	if (parse_sa(nlh, item) < 0)
		return -1;
	return owner_sa(o, item);
}

static int keep_policy(const struct owner *o, const struct nlmsghdr *nlh,
		       void *item)
{
	if (parse_policy(nlh, item) < 0)
		return -1;
	return owner_policy(o, item);
}

int adopt_sas(struct nl_sock *nl, const struct owner *o,
	      struct sa_table *out, struct nl_error *err)
{
	struct knl_sa_info item;
	struct dump d = { o, keep_sa, &item, (void **)&out->v, &out->n,
			  &out->cap, sizeof(item), false };

	return dump(nl, XFRM_MSG_GETSA, &d, err);
}

int adopt_policies(struct nl_sock *nl, const struct owner *o,
		   struct policy_table *out, struct nl_error *err)
{
	struct knl_policy item;
	struct dump d = { o, keep_policy, &item, (void **)&out->v, &out->n,
			  &out->cap, sizeof(item), false };

	return dump(nl, XFRM_MSG_GETPOLICY, &d, err);
}

void sa_table_free(struct sa_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void policy_table_free(struct policy_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
