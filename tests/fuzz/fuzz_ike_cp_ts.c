/* The configuration payload (with the addresses requested or assigned)
 * and traffic selector parsers: the first octet picks CP, TS or a swanctl
 * traffic selector string; the rest is the payload body (or the string). */
#include <string.h>

#include "ike/cp.h"
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

static void fuzz_cp(const uint8_t *body, size_t len)
{
	struct cp_payload cp;
	struct cp_wanted wanted;

	if (payload_cp_validate(body, len) < 0)
		return;
	payload_cp_parse(body, len, &cp);
	for (size_t i = 0; i < cp.n_attrs; i++)
		cp_attr_short_name(cp.attrs[i].type);
	/* What a responder reads from a request, an initiator from a reply. */
	cp_requested(&cp, &wanted);
	cp_assigned(&cp, &wanted);
}

static void fuzz_ts(const uint8_t *body, size_t len)
{
	struct ts ts[TS_PAYLOAD_MAX];
	char text[128];
	size_t n;

	if (payload_ts_validate(body, len) < 0)
		return;
	n = payload_ts_parse(body, len, ts, TS_PAYLOAD_MAX);
	for (size_t i = 0; i < n; i++)
		ts_format(&ts[i], text, sizeof(text));
}

static void fuzz_ts_string(const uint8_t *data, size_t len)
{
	char input[256], err[128], text[128];
	struct ts ts;

	if (len >= sizeof(input))
		len = sizeof(input) - 1;
	memcpy(input, data, len);
	input[len] = '\0';
	if (ts_parse(input, &ts, err, sizeof(err)) == 0)
		ts_format(&ts, text, sizeof(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_cp(data + 1, size - 1);
		break;
	case 1:
		fuzz_ts(data + 1, size - 1);
		break;
	default:
		fuzz_ts_string(data + 1, size - 1);
		break;
	}
	return 0;
}
