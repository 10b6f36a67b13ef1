/* The IKE_SA state-file parser (ike_state_unpack): any input either
 * fills an SA whose counts and lengths fit its arrays, or is refused;
 * a filled SA packs again and reads back the same. */
#include <stdlib.h>
#include <string.h>

#include "ike/ike_state.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_all_levels(LOG_LEVEL_SILENT);
	return 0;
}

static void check_bounds(const struct ike_sa *sa)
{
	if (sa->n_children > CHILD_SA_MAX || sa->n_vips > IKE_SA_MAX_VIPS ||
	    sa->ni_len > NONCE_MAX || sa->nr_len > NONCE_MAX ||
	    sa->last_response_count > FRAGMENTS_MAX_DEFAULT)
		abort();
	for (size_t i = 0; i < sa->n_children; i++)
		if (sa->children[i].n_local_ts > CHILD_TS_MAX ||
		    sa->children[i].n_remote_ts > CHILD_TS_MAX ||
		    sa->children[i].keymat_len > CHILD_KEYMAT_MAX)
			abort();
}

static void round_trip(const struct ike_sa *sa)
{
	struct ike_sa *again = calloc(1, sizeof(*again));
	uint8_t *packed;
	size_t len;
	char why[256];

	packed = again ? ike_state_pack(sa, &len) : NULL;
	if (packed && ike_state_unpack(packed, len, again, why, sizeof(why)) < 0)
		abort();
	if (packed && (again->spi_i != sa->spi_i ||
		       again->n_children != sa->n_children ||
		       again->last_response_len != sa->last_response_len ||
		       strcmp(again->remote_id, sa->remote_id) != 0))
		abort();
	if (again)
		ike_state_clear(again);
	free(packed);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	char why[256];

	if (!sa)
		return 0;
	if (ike_state_unpack(data, size, sa, why, sizeof(why)) == 0) {
		check_bounds(sa);
		round_trip(sa);
		ike_state_clear(sa);
	}
	free(sa);
	return 0;
}
