/* The RFC 7383 reassembler: the input is a sequence of fragments
 * (message id, number, total, next payload, length, data) fed to one
 * IKE_SA's reassembly with small limits; a completed message's chain is
 * parsed.  Leaks or budget drift show up under ASan/the assertion. */
#include <stdlib.h>

#include "ike/fragment.h"
#include "ike/message.h"
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

#define RECORD_HEADER 6

static struct ike_message msg;

static void consume(struct reassembly *r)
{
	size_t len;
	uint8_t first;
	uint8_t *chain = reassembly_take(r, &len, &first);

	if (!chain)
		return;
	msg.inner_next = first;
	message_parse_inner(&msg, chain, len);
	free(chain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frag_budget budget;
	struct reassembly r;
	size_t off = 0;

	frag_budget_init(&budget, 4096);
	reassembly_init(&r, &budget, 24, 2048);
	while (size - off >= RECORD_HEADER) {
		const uint8_t *rec = data + off;
		size_t len = rec[5];

		off += RECORD_HEADER;
		if (len > size - off)
			len = size - off;
		if (reassembly_add(&r, rec[0], rec[1] | (uint16_t)(rec[2] & 1) << 8,
				   rec[3], rec[4], data + off, len) == FRAG_COMPLETE)
			consume(&r);
		off += len;
	}
	reassembly_reset(&r);
	if (budget.used != 0)
		abort();
	frag_budget_destroy(&budget);
	return 0;
}
