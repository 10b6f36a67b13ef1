/* A small JSON writer on a stdio stream (an open_memstream buffer for
 * the status page).  It places the commas and escapes strings, so the
 * output is valid JSON whatever bytes the strings hold. */
#ifndef CYGNET_JSON_H
#define CYGNET_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH];	/* a comma is due before the next */
	bool after_key;
};

void json_init(struct json_writer *w, FILE *out);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);
void json_uint(struct json_writer *w, uint64_t v);
/* Integral values print without a fraction; NaN and infinities (which
 * JSON cannot express) print as null. */
void json_number(struct json_writer *w, double v);
void json_bool(struct json_writer *w, bool v);

/* Writes s as a quoted JSON string: quotes, backslashes and control
 * characters escaped, invalid UTF-8 replaced by U+FFFD. */
void json_write_escaped(FILE *out, const char *s);

#endif
