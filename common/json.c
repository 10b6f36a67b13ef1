/* JSON writer: comma placement and string escaping (RFC 8259). */
#include "json.h"

#include <math.h>
#include <string.h>

void json_init(struct json_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Every value and key goes through here: a comma unless it is the first
 * item of its container or the value right after its key. */
static void json_separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_items[w->depth])
		fputc(',', w->out);
	w->has_items[w->depth] = true;
}

static void json_open(struct json_writer *w, char bracket)
{
	json_separate(w);
	fputc(bracket, w->out);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void json_close(struct json_writer *w, char bracket)
{
	fputc(bracket, w->out);
	if (w->depth > 0)
		w->depth--;
}

void json_object_begin(struct json_writer *w)
{
	json_open(w, '{');
}

void json_object_end(struct json_writer *w)
{
	json_close(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	json_open(w, '[');
}

void json_array_end(struct json_writer *w)
{
	json_close(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	json_separate(w);
	json_write_escaped(w->out, key);
	fputc(':', w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	json_separate(w);
	json_write_escaped(w->out, s);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	json_separate(w);
	fprintf(w->out, "%llu", (unsigned long long)v);
}

void json_number(struct json_writer *w, double v)
{
	json_separate(w);
	if (!isfinite(v))
		fputs("null", w->out);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(w->out, "%.0f", v);
	else
		fprintf(w->out, "%.17g", v);
}

void json_bool(struct json_writer *w, bool v)
{
	json_separate(w);
	fputs(v ? "true" : "false", w->out);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes
 * there are not one (stray continuation byte, overlong form, surrogate,
 * beyond U+10FFFF, truncated). */
static size_t utf8_sequence_length(const unsigned char *s)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void json_write_char(FILE *out, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", out);
		return;
	case '\\':
		fputs("\\\\", out);
		return;
	case '\n':
		fputs("\\n", out);
		return;
	case '\r':
		fputs("\\r", out);
		return;
	case '\t':
		fputs("\\t", out);
		return;
	}
	if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		fputc(c, out);
}

void json_write_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len;

	fputc('"', out);
	while (*p) {
		len = utf8_sequence_length(p);
		if (len == 0) {
			fputs("\\ufffd", out);
			p++;
		} else if (len == 1) {
			json_write_char(out, *p++);
		} else {
			fwrite(p, 1, len, out);
			p += len;
		}
	}
	fputc('"', out);
}
