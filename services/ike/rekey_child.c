#include "ike/rekey_child.h"

#include <string.h>

#include "log.h"

static bool same_selectors(const struct child_sa *a, const struct child_sa *b)
{
	return a->n_local_ts == b->n_local_ts &&
	       a->n_remote_ts == b->n_remote_ts &&
	       memcmp(a->local_ts, b->local_ts,
		      a->n_local_ts * sizeof(a->local_ts[0])) == 0 &&
	       memcmp(a->remote_ts, b->remote_ts,
		      a->n_remote_ts * sizeof(a->remote_ts[0])) == 0;
}

void rekey_child_take_policies(struct ike_service *svc, struct ike_sa *sa,
			       size_t old, const struct child_sa *new_child)
{
	struct child_sa child = sa->children[old];

	if (!same_selectors(&child, new_child))
		return;
	child.policies = false;
	sa_table_update_child(svc->sas, sa, old, &child);
}

void rekey_child_concluded(const struct ike_sa *sa, const struct child_sa *old)
{
	const struct child_sa *newest = NULL;

	/* Rekeyed twice before the first DELETE: the latest took over. */
	for (size_t i = 0; i < sa->n_children; i++) {
		const struct child_sa *c = &sa->children[i];

		if (c->reqid == old->reqid && c->unique_id != old->unique_id &&
		    (!newest || c->unique_id > newest->unique_id))
			newest = c;
	}
	if (!newest)
		return;
	DBG1(LOG_IKE, "rekeyed CHILD_SA %s{%u} with SPIs %08x_i %08x_o with "
	     "%s{%u} with SPIs %08x_i %08x_o", old->name, old->unique_id,
	     old->spi_in, old->spi_out, newest->name, newest->unique_id,
	     newest->spi_in, newest->spi_out);
}
