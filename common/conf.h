/* The configuration file in swanctl.conf syntax, read the way
 * strongSwan's settings parser reads it:
 *
 *   name { ... }              a section; sections of the same name merge
 *   key = value               to the end of the line, a '#' or a '}';
 *                             trimmed; a later key overrides an earlier one
 *   key = "a\tb"              quoted: escapes \n \t \r \" \\, may span lines
 *   key =                     unsets key (hides an earlier or inherited one)
 *   # comment
 *   include PATTERN           glob, relative to the including file's
 *                             directory (for a string: to name's); no
 *                             match is fine, a missing literal file is
 *                             an error; at most 10 levels, no cycles
 *   name : a.b, c { ... }     inherits every key and subsection of the
 *                             sections at those full paths; own keys win,
 *                             then the first reference (strongSwan 5.7+)
 *
 * Names cannot contain '.', ',', ':', '{', '}', '=', '"', '#' or blanks.
 * The parser builds a tree; every node remembers file:line:column for
 * messages.
 *
 * Lookups take dotted paths relative to a section: "cygnet.ike.rpc". */
#ifndef CYGNET_CONF_H
#define CYGNET_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct conf;
struct conf_section;

struct conf_pos {
	const char *file;	/* owned by the conf tree */
	int line;
	int column;
};

/* A parse error: "FILE:LINE:COLUMN: MESSAGE" is in .text ("FILE:
 * MESSAGE" when the file itself cannot be read). */
struct conf_error {
	struct conf_pos pos;	/* .file points into file_name */
	char text[512];
	char file_name[256];	/* outlives the (freed) tree */
};

struct conf *conf_load_file(const char *path, struct conf_error *err);
struct conf *conf_load_string(const char *text, const char *name,
			      struct conf_error *err);
void conf_free(struct conf *conf);

const struct conf_section *conf_root(const struct conf *conf);

/* Navigation.  conf_section_find returns NULL when absent. */
const struct conf_section *conf_section_find(const struct conf_section *sec,
					     const char *path);
const char *conf_section_name(const struct conf_section *sec);
struct conf_pos conf_section_pos(const struct conf_section *sec);
size_t conf_section_count(const struct conf_section *sec);
const struct conf_section *conf_section_at(const struct conf_section *sec,
					   size_t index);
size_t conf_key_count(const struct conf_section *sec);
const char *conf_key_at(const struct conf_section *sec, size_t index,
			const char **value, struct conf_pos *pos);

/* Values.  conf_get returns def when the key is absent; the typed
 * getters return 0 on success, 1 when absent (out = default) and -1
 * when the value does not parse (a message is logged with file:line). */
const char *conf_get(const struct conf_section *sec, const char *path,
		     const char *def);
bool conf_has(const struct conf_section *sec, const char *path);
int conf_key_pos(const struct conf_section *sec, const char *path,
		 struct conf_pos *pos);
int conf_get_int(const struct conf_section *sec, const char *path, long def,
		 long *out);
int conf_get_bool(const struct conf_section *sec, const char *path, bool def,
		  bool *out);
/* Durations as strongSwan writes them: "3600", "60m", "1h", "1d". */
int conf_get_seconds(const struct conf_section *sec, const char *path,
		     long def, long *out);

/* Comma- (and whitespace-) separated lists: "a, b,c".  Returns the number
 * of items stored (at most max); items are malloc'd, free with
 * conf_list_free. */
size_t conf_get_list(const struct conf_section *sec, const char *path,
		     char **items, size_t max);
void conf_list_free(char **items, size_t count);

/* Known keys, to warn on unknown ones with file:line.  A schema is an
 * array ending with a zeroed entry; children != NULL marks a section.
 * name "*" matches any name (e.g. a connection's name) and "local*"
 * any name starting with "local" (local, local-1, local2 ...); an exact
 * name is preferred over a wildcard.  An entry with name NULL and
 * include set splices in another schema, so a service extends the
 * common one without repeating it:
 *
 *   static const struct conf_schema pool_schema[] = {
 *           { "lease_file", NULL },
 *           { .include = conf_schema_service },
 *           { 0 }
 *   };
 */
struct conf_schema {
	const char *name;
	const struct conf_schema *children;
	const struct conf_schema *include;
};

/* Logs "[CFG] FILE:LINE: unknown key 'x' in section 'a.b'" (or "unknown
 * section") for every key or section under sec that the schema does not
 * name, and a key where the schema wants a section or the other way
 * round; where is sec's path for the message.  Returns how many. */
int conf_warn_unknown(const struct conf_section *sec,
		      const struct conf_schema *schema, const char *where);

/* The schemas of the swanctl sections and of cygnet { }, shared so that
 * every service checks its own part the same way. */
extern const struct conf_schema conf_schema_connections[];
extern const struct conf_schema conf_schema_pools[];
extern const struct conf_schema conf_schema_authorities[];
extern const struct conf_schema conf_schema_secrets[];
extern const struct conf_schema conf_schema_service[];	/* cygnet.<svc> */
/* The top level and cygnet { } itself, leaving each known section's
 * inside to its service: checked with where = "". */
extern const struct conf_schema conf_schema_top[];

#endif
