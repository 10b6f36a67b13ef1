#include <string.h>

#include "sa.h"
#include "usage.h"

/* The latest use of the policies whose template leads to the SA: same
 * reqid, template destination = the SA's destination (out policies for
 * outbound SAs, in and fwd policies for inbound ones). */
static uint64_t policies_last_use(const struct policy_table *t,
				  const struct knl_sa *sa)
{
	uint64_t last = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct knl_policy *p = &t->v[i];

		if (!p->has_tmpl || p->reqid != sa->reqid ||
		    memcmp(p->tmpl_dst.ip, sa->dst.ip, sizeof(sa->dst.ip)))
			continue;
		if (p->use_time > last)
			last = p->use_time;
	}
	return last;
}

int usage_query(struct nl_sock *nl, const struct owner *o,
		const struct knl_sa_id *id, struct knl_usage *out,
		struct nl_error *err)
{
	struct knl_sa_info info;
	struct policy_table policies = { 0 };

	if (sa_query(nl, id, &info, err) < 0)
		return -1;
	*out = info.usage;
	if (out->last_used || !out->packets)
		return 0;
	if (adopt_policies(nl, o, &policies, err) < 0)
		return -1;
	out->last_used = policies_last_use(&policies, &info.sa);
	policy_table_free(&policies);
	return 0;
}
