/* Section references, "name : base1, base2 { }" (strongSwan 5.7+): a
 * section inherits every key and subsection of the sections it names by
 * their full path, its own keys win, then the first reference before
 * later ones.  Resolved once the whole file is read, so a reference may
 * name a section defined further down.  Afterwards "key =" entries,
 * which only exist to hide inherited or earlier values, are dropped. */
#include <stdlib.h>
#include <string.h>

#include "conf_tree.h"

struct resolver {
	struct conf *conf;
	struct conf_error *err;
};

static int fail_pos(struct resolver *r, struct conf_pos pos, const char *what,
		    const char *name, const char *path)
{
	return conf_fail(r->err, pos.file, pos.line, pos.column,
			 "section '%s' %s '%s'", name, what, path);
}

/* The section at a full path and its depth (root = 0). */
static struct conf_section *find_path(struct conf_section *root,
				      const char *path, int *depth)
{
	/* conf_section_find only reads; the section is ours to modify. */
	struct conf_section *sec =
		(struct conf_section *)conf_section_find(root, path);

	*depth = 1;
	for (const char *c = path; *c; c++)
		*depth += *c == '.';
	return *path ? sec : NULL;
}

static bool contains(const struct conf_section *sec,
		     const struct conf_section *target)
{
	for (size_t i = 0; i < sec->n_subs; i++) {
		if (sec->subs[i] == target || contains(sec->subs[i], target))
			return true;
	}
	return false;
}

/* Copies what dst does not have yet from src (already resolved).  src is
 * neither dst nor related to it, so the two trees never alias. */
static int inherit(struct resolver *r, struct conf_section *dst,
		   const struct conf_section *src, int dst_depth)
{
	for (size_t i = 0; i < src->n_keys; i++) {
		const struct conf_kv *kv = &src->keys[i];

		if (conf_kv_find(dst, kv->key))
			continue;
		if (conf_set_key(r->conf, dst, kv->key, kv->value, kv->pos,
				 r->err) < 0)
			return -1;
	}
	for (size_t i = 0; i < src->n_subs; i++) {
		const struct conf_section *sub = src->subs[i];
		struct conf_section *child = conf_sub_find(dst, sub->name);

		if (!child) {
			if (dst_depth + 1 > CONF_TREE_DEPTH_MAX)
				return fail_pos(r, sub->pos,
						"nests too deeply when "
						"inherited into", sub->name,
						dst->name);
			child = conf_child(r->conf, dst, sub->name, sub->pos,
					   r->err);
			if (!child)
				return -1;
			child->state = CONF_RESOLVED;
		}
		if (inherit(r, child, sub, dst_depth + 1) < 0)
			return -1;
	}
	return 0;
}

static int resolve(struct resolver *r, struct conf_section *sec, int depth,
		   int chain);

static int resolve_ref(struct resolver *r, struct conf_section *sec,
		       int depth, int chain, const struct conf_ref *ref)
{
	int target_depth;
	struct conf_section *target = find_path(r->conf->root, ref->path,
						&target_depth);

	if (!target)
		return fail_pos(r, ref->pos, "references unknown section",
				sec->name, ref->path);
	if (target->state == CONF_RESOLVING)
		return fail_pos(r, ref->pos, "is part of a reference loop via",
				sec->name, ref->path);
	if (contains(sec, target))
		return fail_pos(r, ref->pos,
				"cannot reference its own subsection",
				sec->name, ref->path);
	if (chain + 1 > CONF_REF_CHAIN_MAX)
		return fail_pos(r, ref->pos, "has references nested too "
				"deeply at", sec->name, ref->path);
	if (resolve(r, target, target_depth, chain + 1) < 0)
		return -1;
	return inherit(r, sec, target, depth);
}

static int resolve(struct resolver *r, struct conf_section *sec, int depth,
		   int chain)
{
	if (sec->state == CONF_RESOLVED)
		return 0;
	sec->state = CONF_RESOLVING;
	for (size_t i = 0; i < sec->n_refs; i++) {
		if (resolve_ref(r, sec, depth, chain, &sec->refs[i]) < 0)
			return -1;
	}
	for (size_t i = 0; i < sec->n_subs; i++) {
		if (resolve(r, sec->subs[i], depth + 1, chain) < 0)
			return -1;
	}
	sec->state = CONF_RESOLVED;
	return 0;
}

static void drop_unset_keys(struct conf_section *sec)
{
	size_t kept = 0;

	for (size_t i = 0; i < sec->n_keys; i++) {
		if (sec->keys[i].value) {
			sec->keys[kept++] = sec->keys[i];
			continue;
		}
		free(sec->keys[i].key);
	}
	sec->n_keys = kept;
	for (size_t i = 0; i < sec->n_subs; i++)
		drop_unset_keys(sec->subs[i]);
}

int conf_resolve(struct conf *conf, struct conf_error *err)
{
	struct resolver r = { .conf = conf, .err = err };

	if (resolve(&r, conf->root, 0, 0) < 0)
		return -1;
	drop_unset_keys(conf->root);
	return 0;
}
