/* libFuzzer target for a pool's addrs value and attribute values, fed
 * straight to their parsers (faster than through the config syntax):
 * input "addrs\nkey\nvalue". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "pool/attr.h"
#include "pool/range.h"

static void check_range(const char *text)
{
	struct pool_range range;
	struct ipaddr addr;
	uint64_t offset;
	char err[256];

	if (pool_range_parse(text, &range, err, sizeof(err)) != 0)
		return;
	if (range.size == 0 || range.size > POOL_SIZE_MAX)
		abort();
	pool_range_addr(&range, range.size / 2, &addr);
	if (!pool_range_offset(&range, &addr, &offset) ||
	    offset != range.size / 2)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *key, *value;
	struct pool_attr attr;
	char err[256];

	if (!text)
		return 0;
	key = strchr(text, '\n');
	if (key)
		*key++ = '\0';
	check_range(text);
	value = key ? strchr(key, '\n') : NULL;
	if (value) {
		*value++ = '\0';
		if (pool_attr_parse(key, value, &attr, err, sizeof(err)) == 0 &&
		    attr.len > sizeof(attr.value))
			abort();
	}
	free(text);
	return 0;
}
