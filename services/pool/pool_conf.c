#include "pool_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Values per attribute key, e.g. dns = a, b, c. */
#define POOL_ATTR_VALUES_MAX 32

static void format_where(struct conf_pos pos, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%d", pos.file ? pos.file : "(config)",
		 pos.line);
}

static int fail(char *err, size_t errlen, struct conf_pos pos,
		const char *pool, const char *reason)
{
	char where[POOL_WHERE_MAX];

	format_where(pos, where, sizeof(where));
	snprintf(err, errlen, "%s: pool '%s': %s", where, pool, reason);
	return -1;
}

static int add_attr(struct pool_def *def, const struct pool_attr *attr)
{
	struct pool_attr *grown;

	grown = realloc(def->attrs, (def->n_attrs + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	def->attrs = grown;
	def->attrs[def->n_attrs++] = *attr;
	return 0;
}

static int parse_attr_key(struct pool_def *def,
			  const struct conf_section *sec, const char *key,
			  struct conf_pos pos, char *err, size_t errlen)
{
	char *values[POOL_ATTR_VALUES_MAX + 1];
	char reason[512];
	struct pool_attr attr;
	size_t count;
	int rc = 0;

	count = conf_get_list(sec, key, values, POOL_ATTR_VALUES_MAX + 1);
	if (count == 0) {
		snprintf(reason, sizeof(reason), "no value for %s", key);
		rc = fail(err, errlen, pos, def->name, reason);
	} else if (count > POOL_ATTR_VALUES_MAX) {
		snprintf(reason, sizeof(reason), "more than %d values for %s",
			 POOL_ATTR_VALUES_MAX, key);
		rc = fail(err, errlen, pos, def->name, reason);
	}
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (pool_attr_parse(key, values[i], &attr, reason,
				    sizeof(reason)) < 0)
			rc = fail(err, errlen, pos, def->name, reason);
		else if (add_attr(def, &attr) < 0)
			rc = fail(err, errlen, pos, def->name, "out of memory");
	}
	conf_list_free(values, count);
	return rc;
}

static int parse_addrs(struct pool_def *def, const char *value,
		       struct conf_pos pos, char *err, size_t errlen)
{
	char reason[512], base[IPADDR_STRLEN];

	if (pool_range_parse(value, &def->range, reason, sizeof(reason)) < 0)
		return fail(err, errlen, pos, def->name, reason);
	if (def->range.limited_prefix >= 0)
		DBG1(LOG_CFG, "virtual IP pool too large, limiting to %s/%d",
		     ipaddr_format(&def->range.base, base, sizeof(base)),
		     def->range.limited_prefix);
	return 0;
}

static int parse_pool(const struct conf_section *sec, struct pool_def *def,
		      char *err, size_t errlen)
{
	const char *name = conf_section_name(sec);
	struct conf_pos pos = conf_section_pos(sec);
	bool have_addrs = false;
	char reason[512];

	snprintf(def->name, sizeof(def->name), "%s", name);
	format_where(pos, def->where, sizeof(def->where));
	if (strlen(name) >= sizeof(def->name))
		return fail(err, errlen, pos, def->name, "name too long");
	if (conf_section_count(sec) > 0) {
		const struct conf_section *sub = conf_section_at(sec, 0);

		snprintf(reason, sizeof(reason), "unexpected section '%s'",
			 conf_section_name(sub));
		return fail(err, errlen, conf_section_pos(sub), name, reason);
	}
	for (size_t i = 0; i < conf_key_count(sec); i++) {
		const char *value;
		const char *key = conf_key_at(sec, i, &value, &pos);
		int rc;

		if (strcmp(key, "addrs") == 0) {
			rc = parse_addrs(def, value, pos, err, errlen);
			have_addrs = true;
		} else {
			rc = parse_attr_key(def, sec, key, pos, err, errlen);
		}
		if (rc < 0)
			return -1;
	}
	if (!have_addrs)
		return fail(err, errlen, conf_section_pos(sec), name,
			    "missing addrs");
	return 0;
}

static int check_overlap(const struct pool_defs *defs, size_t index,
			 const struct conf_section *sec, char *err,
			 size_t errlen)
{
	const struct pool_def *def = &defs->defs[index];
	char reason[512];
	struct conf_pos pos;

	for (size_t i = 0; i < index; i++) {
		const struct pool_def *other = &defs->defs[i];

		if (!pool_range_overlap(&def->range, &other->range))
			continue;
		if (conf_key_pos(sec, "addrs", &pos) != 0)
			pos = conf_section_pos(sec);
		snprintf(reason, sizeof(reason),
			 "addrs overlap those of pool '%s' (%s)", other->name,
			 other->where);
		return fail(err, errlen, pos, def->name, reason);
	}
	return 0;
}

int pool_conf_parse(const struct conf_section *pools, struct pool_defs *out,
		    char *err, size_t errlen)
{
	size_t count = pools ? conf_section_count(pools) : 0;

	memset(out, 0, sizeof(*out));
	if (count == 0)
		return 0;
	out->defs = calloc(count, sizeof(*out->defs));
	if (!out->defs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		const struct conf_section *sec = conf_section_at(pools, i);

		out->count = i + 1;
		if (parse_pool(sec, &out->defs[i], err, errlen) < 0 ||
		    check_overlap(out, i, sec, err, errlen) < 0) {
			pool_defs_free(out);
			return -1;
		}
	}
	return 0;
}

void pool_defs_free(struct pool_defs *defs)
{
	for (size_t i = 0; i < defs->count; i++)
		free(defs->defs[i].attrs);
	free(defs->defs);
	defs->defs = NULL;
	defs->count = 0;
}

const struct pool_def *pool_defs_find(const struct pool_defs *defs,
				      const char *name)
{
	for (size_t i = 0; i < defs->count; i++) {
		if (strcmp(defs->defs[i].name, name) == 0)
			return &defs->defs[i];
	}
	return NULL;
}
