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

struct sa_dump {
	const struct owner *owner;
	struct sa_table *t;
	bool nomem;
};

static int sa_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct sa_dump *d = arg;
	struct knl_sa_info info;
	struct knl_sa_info *v;

	if (parse_sa(nlh, &info) < 0)
		return -1;
	if (!owner_sa(d->owner, &info))
		return 0;
	v = grow(d->t->v, d->t->n, &d->t->cap, sizeof(*v));
	if (!v) {
		d->nomem = true;
		return 0;
	}
	d->t->v = v;
	v[d->t->n++] = info;
	return 0;
}

static struct nlmsghdr *dump_request(void *buf, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_DUMP;
	return nlh;
}

int adopt_sas(struct nl_sock *nl, const struct owner *o,
	      struct sa_table *out, struct nl_error *err)
{
	uint8_t buf[256];
	struct sa_dump d = { .owner = o, .t = out };

	out->n = 0;
	if (nl_request(nl, dump_request(buf, XFRM_MSG_GETSA), sa_entry, &d,
		       err) < 0)
		return -1;
	if (d.nomem) {
		nl_error_set(err, XFRM_MSG_GETSA, 0, ENOMEM, "SA table");
		return -1;
	}
	return 0;
}

struct policy_dump {
	const struct owner *owner;
	struct policy_table *t;
	bool nomem;
};

static int policy_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct policy_dump *d = arg;
	struct knl_policy p;
	struct knl_policy *v;

	if (parse_policy(nlh, &p) < 0)
		return -1;
	if (!owner_policy(d->owner, &p))
		return 0;
	v = grow(d->t->v, d->t->n, &d->t->cap, sizeof(*v));
	if (!v) {
		d->nomem = true;
		return 0;
	}
	d->t->v = v;
	v[d->t->n++] = p;
	return 0;
}

int adopt_policies(struct nl_sock *nl, const struct owner *o,
		   struct policy_table *out, struct nl_error *err)
{
	uint8_t buf[256];
	struct policy_dump d = { .owner = o, .t = out };

	out->n = 0;
	if (nl_request(nl, dump_request(buf, XFRM_MSG_GETPOLICY), policy_entry,
		       &d, err) < 0)
		return -1;
	if (d.nomem) {
		nl_error_set(err, XFRM_MSG_GETPOLICY, 0, ENOMEM,
			     "policy table");
		return -1;
	}
	return 0;
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
