/* Helpers of the text-parser fuzz targets (config, pools). */
#ifndef CYGNET_FUZZ_INPUT_H
#define CYGNET_FUZZ_INPUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static inline void fuzz_log_discard(void *arg, enum log_subsys subsys,
				    int level, const char *line)
{
	(void)arg;
	(void)subsys;
	(void)level;
	(void)line;
}

/* Log lines are still formatted (that code runs too), never printed. */
static inline void fuzz_log_quiet(void)
{
	log_set_sink(fuzz_log_discard, NULL);
}

/* The input as a string (malloc'ed, NUL-terminated), NULL if out of
 * memory. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

#endif
