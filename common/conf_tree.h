/* Internal to the conf*.c files: the tree the parser builds and the
 * lookups and getters read.  Not part of the public interface. */
#ifndef CYGNET_CONF_TREE_H
#define CYGNET_CONF_TREE_H

#include <stdarg.h>

#include "conf.h"

/* Limits that keep hostile input bounded (the fuzzer finds the rest). */
#define CONF_INCLUDE_DEPTH_MAX 10
#define CONF_SECTION_DEPTH_MAX 64
#define CONF_FILE_SIZE_MAX (4 * 1024 * 1024)
#define CONF_NODES_MAX 1000000
/* After references are copied in, sections may nest deeper than the
 * parser allows, but not without bound; nor may reference chains. */
#define CONF_TREE_DEPTH_MAX 128
#define CONF_REF_CHAIN_MAX 64

struct conf_kv {
	char *key;
	char *value;		/* NULL: "key =" unset it (until purged) */
	struct conf_pos pos;
};

enum conf_resolve_state {
	CONF_UNRESOLVED,
	CONF_RESOLVING,
	CONF_RESOLVED,
};

struct conf_ref {
	char *path;		/* full path from the root: "templates.a" */
	struct conf_pos pos;
};

struct conf_section {
	char *name;		/* "" for the root */
	struct conf_pos pos;
	struct conf_kv *keys;
	size_t n_keys, cap_keys;
	struct conf_section **subs;
	size_t n_subs, cap_subs;
	struct conf_ref *refs;
	size_t n_refs;
	enum conf_resolve_state state;
};

struct conf {
	struct conf_section *root;
	char **files;		/* every file name a position points to */
	size_t n_files;
	size_t nodes;		/* sections + keys, against CONF_NODES_MAX */
};

/* Fills err with "FILE:LINE:COLUMN: message" (or "FILE: message" when
 * line is 0).  Returns -1 so callers can "return conf_fail(...)". */
int conf_fail(struct conf_error *err, const char *file, int line, int column,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Tree building (conf_tree.c).  All return NULL / -1 on allocation
 * failure or when CONF_NODES_MAX is reached, with err filled. */
struct conf *conf_new(void);
const char *conf_add_file(struct conf *conf, const char *name);
struct conf_section *conf_child(struct conf *conf, struct conf_section *sec,
				const char *name, struct conf_pos pos,
				struct conf_error *err);
int conf_set_key(struct conf *conf, struct conf_section *sec, const char *key,
		 const char *value, struct conf_pos pos,
		 struct conf_error *err);
int conf_add_ref(struct conf_section *sec, const char *path,
		 struct conf_pos pos, struct conf_error *err);
struct conf_section *conf_sub_find(const struct conf_section *sec,
				   const char *name);
struct conf_kv *conf_kv_find(const struct conf_section *sec, const char *key);
void conf_section_free(struct conf_section *sec);

/* Section references and "key =" unsets, after the whole file is read
 * (conf_ref.c). */
int conf_resolve(struct conf *conf, struct conf_error *err);

#endif
