/* What a cygnetctl printer writes, caught in memory for the tests. */
#ifndef CYGNET_TEST_CTL_CAPTURE_H
#define CYGNET_TEST_CTL_CAPTURE_H

#include <stdio.h>

struct capture {
	char *text;
	size_t len;
	FILE *out;
};

/* The stream to hand to the printer. */
static inline FILE *capture_begin(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->out = open_memstream(&c->text, &c->len);
	return c->out;
}

/* The text written since capture_begin (free() it). */
static inline char *capture_end(struct capture *c)
{
	fclose(c->out);
	return c->text;
}

#endif
