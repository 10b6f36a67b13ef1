#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "policy.h"
#include "sa.h"
#include "state.h"

static void add_error(struct state_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->n_errors == STATE_ERRORS_MAX) {
		res->errors_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(res->errors[res->n_errors++], sizeof(res->errors[0]), fmt,
		  ap);
	va_end(ap);
	DBG1(LOG_KNL, "%s", res->errors[res->n_errors - 1]);
}

static bool same_sa(const struct knl_sa *a, const struct knl_sa *b)
{
	return a->spi == b->spi && a->proto == b->proto &&
	       a->dst.family == b->dst.family &&
	       !memcmp(a->dst.ip, b->dst.ip, sizeof(a->dst.ip)) &&
	       a->mark.value == b->mark.value && a->mark.mask == b->mark.mask;
}

static const struct knl_sa_info *find_sa(const struct sa_table *t,
					 const struct knl_sa *sa)
{
	for (size_t i = 0; i < t->n; i++)
		if (same_sa(&t->v[i].sa, sa))
			return &t->v[i];
	return NULL;
}

static bool wanted_sa(const struct state_desired *want,
		      const struct knl_sa *sa)
{
	for (size_t i = 0; i < want->n_sas; i++)
		if (same_sa(&want->sas[i], sa))
			return true;
	return false;
}

static void sync_sas(struct nl_sock *nl, const struct state_desired *want,
		     const struct sa_table *have, struct state_result *res)
{
	struct nl_error err;

	for (size_t i = 0; i < want->n_sas; i++) {
		const struct knl_sa *sa = &want->sas[i];
		const struct knl_sa_info *cur = find_sa(have, sa);

		if (cur && !cur->larval) {
			res->sas_kept++;
			continue;
		}
		if (sa_install(nl, sa, cur != NULL, &err) < 0) {
			add_error(res, "adding SA %08x failed: %s", sa->spi,
				  err.text);
			continue;
		}
		res->sas_added++;
	}
	for (size_t i = 0; i < have->n; i++) {
		const struct knl_sa_info *cur = &have->v[i];
		struct knl_sa_id id = { .dst = cur->sa.dst, .spi = cur->sa.spi,
					.proto = cur->sa.proto,
					.mark = cur->sa.mark };

		/* larval SAs belong to negotiations in flight and expire */
		if ((cur->larval && !want->drop_larval) ||
		    wanted_sa(want, &cur->sa))
			continue;
		if (sa_delete(nl, &id, &err) < 0) {
			add_error(res, "deleting SA %08x failed: %s", id.spi,
				  err.text);
			continue;
		}
		res->sas_removed++;
	}
}

static void sync_policies(struct nl_sock *nl, const struct state_desired *want,
			  const struct policy_table *have,
			  struct state_result *res)
{
	struct nl_error err;
	char text[160];

	for (size_t i = 0; i < want->n_policies; i++) {
		const struct knl_policy *p = &want->policies[i];
		bool present = false;

		for (size_t k = 0; k < have->n && !present; k++)
			present = policy_equal(&have->v[k], p);
		if (present) {
			res->policies_kept++;
			continue;
		}
		if (policy_install(nl, p, &err) < 0) {
			knl_format_policy(p, text, sizeof(text));
			add_error(res, "installing policy %s failed: %s", text,
				  err.text);
			continue;
		}
		res->policies_added++;
	}
	for (size_t k = 0; k < have->n; k++) {
		const struct knl_policy *cur = &have->v[k];
		bool wanted = false;

		/* a wanted policy in the same slot replaced it already */
		for (size_t i = 0; i < want->n_policies && !wanted; i++)
			wanted = policy_same_slot(cur, &want->policies[i]);
		if (wanted)
			continue;
		if (policy_delete(nl, cur, &err) < 0) {
			knl_format_policy(cur, text, sizeof(text));
			add_error(res, "deleting policy %s failed: %s", text,
				  err.text);
			continue;
		}
		res->policies_removed++;
	}
}

int state_reconcile(struct nl_sock *nl, const struct owner *o,
		    const struct state_desired *want, struct state_result *res,
		    struct nl_error *err)
{
	struct sa_table sas = { 0 };
	struct policy_table policies = { 0 };

	memset(res, 0, sizeof(*res));
	if (adopt_sas(nl, o, &sas, err) < 0)
		return -1;
	if (adopt_policies(nl, o, &policies, err) < 0) {
		sa_table_free(&sas);
		return -1;
	}
	sync_sas(nl, want, &sas, res);
	sync_policies(nl, want, &policies, res);
	sa_table_free(&sas);
	policy_table_free(&policies);
	DBG1(LOG_KNL, "reconciled kernel state: SAs %u added, %u removed, "
	     "%u kept; policies %u added, %u removed, %u kept",
	     res->sas_added, res->sas_removed, res->sas_kept,
	     res->policies_added, res->policies_removed, res->policies_kept);
	return 0;
}
