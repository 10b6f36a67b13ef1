/* The configuration tree: building it while parsing (merging sections of
 * the same name, later keys overriding earlier ones) and walking it. */
#include "conf_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int conf_fail(struct conf_error *err, const char *file, int line, int column,
	      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	snprintf(err->file_name, sizeof(err->file_name), "%s",
		 file ? file : "");
	err->pos.file = err->file_name;
	err->pos.line = line;
	err->pos.column = column;
	if (line > 0)
		n = snprintf(err->text, sizeof(err->text), "%s:%d:%d: ",
			     err->file_name, line, column);
	else
		n = snprintf(err->text, sizeof(err->text), "%s: ",
			     err->file_name);
	if (n < 0 || (size_t)n >= sizeof(err->text))
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->text + n, sizeof(err->text) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int out_of_memory(struct conf_error *err, struct conf_pos pos)
{
	return conf_fail(err, pos.file, pos.line, pos.column, "out of memory");
}

static int count_node(struct conf *conf, struct conf_pos pos,
		      struct conf_error *err)
{
	if (conf->nodes >= CONF_NODES_MAX)
		return conf_fail(err, pos.file, pos.line, pos.column,
				 "configuration too large (more than %d keys "
				 "and sections)", CONF_NODES_MAX);
	conf->nodes++;
	return 0;
}

static struct conf_section *section_new(const char *name, struct conf_pos pos)
{
	struct conf_section *sec = calloc(1, sizeof(*sec));

	if (!sec)
		return NULL;
	sec->name = strdup(name);
	if (!sec->name) {
		free(sec);
		return NULL;
	}
	sec->pos = pos;
	return sec;
}

struct conf *conf_new(void)
{
	struct conf *conf = calloc(1, sizeof(*conf));
	struct conf_pos none = { 0 };

	if (!conf)
		return NULL;
	conf->root = section_new("", none);
	if (!conf->root) {
		free(conf);
		return NULL;
	}
	return conf;
}

const char *conf_add_file(struct conf *conf, const char *name)
{
	char **files = realloc(conf->files,
			       (conf->n_files + 1) * sizeof(*files));
	char *copy;

	if (!files)
		return NULL;
	conf->files = files;
	copy = strdup(name);
	if (!copy)
		return NULL;
	conf->files[conf->n_files++] = copy;
	return copy;
}

/* Grows an array of elements of size elem so that one more fits. */
static int grow(void *arrayp, size_t count, size_t *cap, size_t elem)
{
	void **array = arrayp;
	size_t ncap;
	void *grown;

	if (count < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	grown = realloc(*array, ncap * elem);
	if (!grown)
		return -1;
	*array = grown;
	*cap = ncap;
	return 0;
}

struct conf_section *conf_sub_find(const struct conf_section *sec,
				   const char *name)
{
	for (size_t i = 0; i < sec->n_subs; i++) {
		if (strcmp(sec->subs[i]->name, name) == 0)
			return sec->subs[i];
	}
	return NULL;
}

struct conf_kv *conf_kv_find(const struct conf_section *sec, const char *key)
{
	for (size_t i = 0; i < sec->n_keys; i++) {
		if (strcmp(sec->keys[i].key, key) == 0)
			return &sec->keys[i];
	}
	return NULL;
}

struct conf_section *conf_child(struct conf *conf, struct conf_section *sec,
				const char *name, struct conf_pos pos,
				struct conf_error *err)
{
	struct conf_section *child = conf_sub_find(sec, name);

	if (child)
		return child;
	if (count_node(conf, pos, err) < 0)
		return NULL;
	if (grow(&sec->subs, sec->n_subs, &sec->cap_subs,
		 sizeof(*sec->subs)) < 0)
		goto oom;
	child = section_new(name, pos);
	if (!child)
		goto oom;
	sec->subs[sec->n_subs++] = child;
	return child;
oom:
	out_of_memory(err, pos);
	return NULL;
}

static int replace_string(char **dst, const char *src)
{
	char *copy = NULL;

	if (src) {
		copy = strdup(src);
		if (!copy)
			return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

int conf_set_key(struct conf *conf, struct conf_section *sec, const char *key,
		 const char *value, struct conf_pos pos,
		 struct conf_error *err)
{
	struct conf_kv *kv = conf_kv_find(sec, key);

	if (kv) {
		if (replace_string(&kv->value, value) < 0)
			return out_of_memory(err, pos);
		kv->pos = pos;
		return 0;
	}
	if (count_node(conf, pos, err) < 0)
		return -1;
	if (grow(&sec->keys, sec->n_keys, &sec->cap_keys,
		 sizeof(*sec->keys)) < 0)
		return out_of_memory(err, pos);
	kv = &sec->keys[sec->n_keys];
	*kv = (struct conf_kv){ .pos = pos };
	kv->key = strdup(key);
	if (!kv->key || replace_string(&kv->value, value) < 0) {
		free(kv->key);
		return out_of_memory(err, pos);
	}
	sec->n_keys++;
	return 0;
}

int conf_add_ref(struct conf_section *sec, const char *path,
		 struct conf_pos pos, struct conf_error *err)
{
	struct conf_ref *refs = realloc(sec->refs,
					(sec->n_refs + 1) * sizeof(*refs));

	if (!refs)
		return out_of_memory(err, pos);
	sec->refs = refs;
	refs[sec->n_refs].path = strdup(path);
	if (!refs[sec->n_refs].path)
		return out_of_memory(err, pos);
	refs[sec->n_refs].pos = pos;
	sec->n_refs++;
	return 0;
}

void conf_section_free(struct conf_section *sec)
{
	if (!sec)
		return;
	for (size_t i = 0; i < sec->n_keys; i++) {
		free(sec->keys[i].key);
		free(sec->keys[i].value);
	}
	for (size_t i = 0; i < sec->n_subs; i++)
		conf_section_free(sec->subs[i]);
	for (size_t i = 0; i < sec->n_refs; i++)
		free(sec->refs[i].path);
	free(sec->keys);
	free(sec->subs);
	free(sec->refs);
	free(sec->name);
	free(sec);
}

void conf_free(struct conf *conf)
{
	if (!conf)
		return;
	conf_section_free(conf->root);
	for (size_t i = 0; i < conf->n_files; i++)
		free(conf->files[i]);
	free(conf->files);
	free(conf);
}

const struct conf_section *conf_root(const struct conf *conf)
{
	return conf ? conf->root : NULL;
}

const struct conf_section *conf_section_find(const struct conf_section *sec,
					     const char *path)
{
	const char *part = path;

	if (!sec || !path)
		return NULL;
	while (*part) {
		const char *dot = strchr(part, '.');
		size_t len = dot ? (size_t)(dot - part) : strlen(part);
		const struct conf_section *next = NULL;

		for (size_t i = 0; i < sec->n_subs; i++) {
			const char *name = sec->subs[i]->name;

			if (strlen(name) == len && memcmp(name, part, len) == 0) {
				next = sec->subs[i];
				break;
			}
		}
		if (!next)
			return NULL;
		sec = next;
		part += len;
		if (*part == '.')
			part++;
	}
	return sec;
}

const char *conf_section_name(const struct conf_section *sec)
{
	return sec ? sec->name : NULL;
}

struct conf_pos conf_section_pos(const struct conf_section *sec)
{
	struct conf_pos none = { 0 };

	return sec ? sec->pos : none;
}

size_t conf_section_count(const struct conf_section *sec)
{
	return sec ? sec->n_subs : 0;
}

const struct conf_section *conf_section_at(const struct conf_section *sec,
					   size_t index)
{
	if (!sec || index >= sec->n_subs)
		return NULL;
	return sec->subs[index];
}

size_t conf_key_count(const struct conf_section *sec)
{
	return sec ? sec->n_keys : 0;
}

const char *conf_key_at(const struct conf_section *sec, size_t index,
			const char **value, struct conf_pos *pos)
{
	if (!sec || index >= sec->n_keys)
		return NULL;
	if (value)
		*value = sec->keys[index].value;
	if (pos)
		*pos = sec->keys[index].pos;
	return sec->keys[index].key;
}
