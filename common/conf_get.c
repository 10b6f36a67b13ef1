/* Reading values: dotted paths and the typed getters, which accept the
 * spellings strongSwan's settings accept. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_tree.h"
#include "log.h"

/* The key at a dotted path: "a.b.key" is key in section a.b. */
static const struct conf_kv *find_kv(const struct conf_section *sec,
				     const char *path)
{
	const char *dot;

	if (!sec || !path)
		return NULL;
	dot = strrchr(path, '.');
	if (dot) {
		char *parent = strndup(path, (size_t)(dot - path));

		if (!parent)
			return NULL;
		sec = conf_section_find(sec, parent);
		free(parent);
		if (!sec)
			return NULL;
		path = dot + 1;
	}
	return conf_kv_find(sec, path);
}

const char *conf_get(const struct conf_section *sec, const char *path,
		     const char *def)
{
	const struct conf_kv *kv = find_kv(sec, path);

	return kv ? kv->value : def;
}

bool conf_has(const struct conf_section *sec, const char *path)
{
	return find_kv(sec, path) != NULL;
}

int conf_key_pos(const struct conf_section *sec, const char *path,
		 struct conf_pos *pos)
{
	const struct conf_kv *kv = find_kv(sec, path);

	if (!kv)
		return -1;
	*pos = kv->pos;
	return 0;
}

static void log_invalid(const struct conf_kv *kv, const char *what)
{
	DBG1(LOG_CFG, "%s:%d: invalid %s '%s' for '%s'", kv->pos.file,
	     kv->pos.line, what, kv->value, kv->key);
}

/* Decimal, or hexadecimal with 0x as strongSwan allows; no octal
 * surprises from a leading zero. */
static bool parse_long(const char *text, long *out, char **end)
{
	int base = 10;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		base = 16;
	else if (text[0] == '-' && text[1] == '0' &&
		 (text[2] == 'x' || text[2] == 'X'))
		return false;
	errno = 0;
	*out = strtol(text, end, base);
	return errno == 0 && *end != text;
}

int conf_get_int(const struct conf_section *sec, const char *path, long def,
		 long *out)
{
	const struct conf_kv *kv = find_kv(sec, path);
	char *end;

	*out = def;
	if (!kv)
		return 1;
	if (!parse_long(kv->value, out, &end) || *end != '\0') {
		*out = def;
		log_invalid(kv, "integer");
		return -1;
	}
	return 0;
}

int conf_get_bool(const struct conf_section *sec, const char *path, bool def,
		  bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	const struct conf_kv *kv = find_kv(sec, path);

	*out = def;
	if (!kv)
		return 1;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(kv->value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(kv->value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	log_invalid(kv, "boolean");
	return -1;
}

static long unit_seconds(char suffix)
{
	switch (suffix) {
	case '\0':
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	default:
		return 0;
	}
}

int conf_get_seconds(const struct conf_section *sec, const char *path,
		     long def, long *out)
{
	const struct conf_kv *kv = find_kv(sec, path);
	char *end;
	long n, unit;

	*out = def;
	if (!kv)
		return 1;
	errno = 0;
	n = strtol(kv->value, &end, 10);
	if (errno || end == kv->value || n < 0)
		goto invalid;
	unit = unit_seconds(*end);
	if (!unit || (*end && end[1]) || n > LONG_MAX / unit)
		goto invalid;
	*out = n * unit;
	return 0;
invalid:
	log_invalid(kv, "duration");
	return -1;
}

static bool is_separator(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t conf_get_list(const struct conf_section *sec, const char *path,
		     char **items, size_t max)
{
	const char *value = conf_get(sec, path, NULL);
	size_t count = 0;

	while (value && *value && count < max) {
		size_t len;

		while (is_separator(*value))
			value++;
		len = 0;
		while (value[len] && !is_separator(value[len]))
			len++;
		if (!len)
			break;
		items[count] = strndup(value, len);
		if (!items[count])
			break;
		count++;
		value += len;
	}
	return count;
}

void conf_list_free(char **items, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(items[i]);
		items[i] = NULL;
	}
}
