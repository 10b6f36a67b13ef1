#include "ike/rekey_child.h"

#include "log.h"

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
