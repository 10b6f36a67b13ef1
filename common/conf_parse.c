/* The swanctl.conf grammar, as strongSwan's settings parser reads it:
 *
 *   body    := (keyvalue | section | include)*
 *   keyvalue:= NAME '=' value-to-end-of-line
 *   section := NAME [':' PATH (',' PATH)*] '{' body '}'
 *   include := 'include' PATTERN
 *
 * Open sections are kept on an explicit stack rather than recursion so
 * that nesting depth is a checked limit, not a stack overflow.  Includes
 * recurse, bounded by CONF_INCLUDE_DEPTH_MAX. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_lex.h"
#include "conf_tree.h"

struct parser {
	struct conf *conf;
	struct conf_error *err;
	/* Canonical paths of the files being read, for include cycles. */
	char *reading[CONF_INCLUDE_DEPTH_MAX + 1];
	int depth;
	/* Depth of the section the current file is read into, so that
	 * nesting is limited across includes too. */
	int base;
};

struct open_section {
	struct conf_section *sec;
	struct conf_pos pos;
};

static int parse_file(struct parser *p, const char *path,
		      struct conf_section *into, const struct conf_pos *from);

static int fail_at(struct parser *p, struct conf_pos pos, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static int fail_at(struct parser *p, struct conf_pos pos, const char *fmt,
		   ...)
{
	char msg[sizeof(p->err->text)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return conf_fail(p->err, pos.file, pos.line, pos.column, "%s", msg);
}

static const char *token_desc(const struct conf_token *tok, char *buf,
			      size_t len)
{
	if (tok->type == TOK_EOF)
		return "end of file";
	if (tok->type == TOK_PUNCT)
		snprintf(buf, len, "'%c'", tok->punct);
	else
		snprintf(buf, len, "'%s'", tok->text);
	return buf;
}

/* Names may hold any printable character but the ones the grammar uses;
 * the lexer stops at all of them except '.', which only paths allow. */
static int check_name(struct parser *p, const struct conf_token *tok)
{
	if (strchr(tok->text, '.'))
		return fail_at(p, tok->pos,
			       "invalid name '%s': names cannot contain '.'",
			       tok->text);
	return 0;
}

/* Where to report "expected X after 'name'": at the offending token if
 * it is on the same line, else right after the name. */
static struct conf_pos after_name(const struct conf_token *name,
				  const struct conf_token *next)
{
	if (next->type != TOK_EOF && next->pos.line == name->pos.line)
		return next->pos;
	return name->end;
}

static int expected_after(struct parser *p, const struct conf_token *name,
			  const struct conf_token *next, const char *what)
{
	char desc[64];

	return fail_at(p, after_name(name, next),
		       "expected %s after '%s', found %s", what, name->text,
		       token_desc(next, desc, sizeof(desc)));
}

/* ':' PATH (',' PATH)* '{' -- after the ':'. */
static int parse_refs(struct parser *p, struct conf_lexer *lx,
		      struct conf_section *sec, const struct conf_token *name)
{
	struct conf_token tok = { 0 }, last = *name;
	char *owned = NULL;	/* last.text once it is a path */
	int rc;

	for (;;) {
		conf_lex_next(lx, &tok);
		if (tok.type == TOK_ERROR) {
			rc = -1;
			break;
		}
		if (tok.type != TOK_NAME) {
			rc = expected_after(p, &last, &tok,
					    "the name of a section to reference");
			break;
		}
		rc = conf_add_ref(sec, tok.text, tok.pos, p->err);
		if (rc < 0)
			break;
		free(owned);
		owned = tok.text;
		last = tok;
		tok.text = NULL;
		conf_lex_next(lx, &tok);
		if (tok.type == TOK_ERROR) {
			rc = -1;
			break;
		}
		if (tok.type == TOK_PUNCT && tok.punct == ',')
			continue;
		if (tok.type == TOK_PUNCT && tok.punct == '{')
			break;
		rc = expected_after(p, &last, &tok, "',' or '{'");
		break;
	}
	free(owned);
	free(tok.text);
	return rc;
}

static bool has_glob_chars(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

/* PATTERN relative to the directory of the including file. */
static char *include_path(const char *file, const char *pattern)
{
	const char *slash = strrchr(file, '/');
	char *path;

	if (pattern[0] == '/' || !slash)
		return strdup(pattern);
	if (asprintf(&path, "%.*s/%s", (int)(slash - file), file,
		     pattern) < 0)
		return NULL;
	return path;
}

static int include_glob(struct parser *p, const char *pattern,
			struct conf_section *into, const struct conf_pos *at)
{
	glob_t g;
	int rc = glob(pattern, 0, NULL, &g);

	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0) {
		globfree(&g);
		return fail_at(p, *at, "include '%s': cannot expand pattern",
			       pattern);
	}
	rc = 0;
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = parse_file(p, g.gl_pathv[i], into, at);
	globfree(&g);
	return rc;
}

/* 'include' has been read and is followed by something other than
 * '=', '{' or ':' on its line. */
static int parse_include(struct parser *p, struct conf_lexer *lx,
			 struct conf_section *into, int sp,
			 const struct conf_token *kw)
{
	char *pattern, *path;
	int rc;

	if (conf_lex_value(lx, &pattern) < 0)
		return -1;
	if (!pattern || !*pattern) {
		free(pattern);
		return fail_at(p, kw->end,
			       "expected a file name or pattern after '%s'",
			       kw->text);
	}
	path = include_path(kw->pos.file, pattern);
	free(pattern);
	if (!path)
		return fail_at(p, kw->pos, "out of memory");
	p->base += sp;
	if (has_glob_chars(path))
		rc = include_glob(p, path, into, &kw->pos);
	else
		rc = parse_file(p, path, into, &kw->pos);
	p->base -= sp;
	free(path);
	return rc;
}

static bool is_include(struct conf_lexer *lx, const struct conf_token *tok)
{
	char next;

	if (strcmp(tok->text, "include") != 0)
		return false;
	next = conf_lex_peek_line(lx);
	return next != '=' && next != '{' && next != ':';
}

/* NAME has been read: a key, a section (maybe with references) or an
 * include.  Pushes a new section onto stack. */
static int parse_statement(struct parser *p, struct conf_lexer *lx,
			   struct open_section *stack, int *sp,
			   struct conf_token *name)
{
	struct conf_section *cur = stack[*sp].sec, *child;
	struct conf_token next;
	char *value;
	int rc;

	if (is_include(lx, name))
		return parse_include(p, lx, cur, *sp, name);
	if (check_name(p, name) < 0)
		return -1;
	conf_lex_next(lx, &next);
	if (next.type == TOK_ERROR)
		return -1;
	if (next.type == TOK_PUNCT && next.punct == '=') {
		if (conf_lex_value(lx, &value) < 0)
			return -1;
		rc = conf_set_key(p->conf, cur, name->text, value, name->pos,
				  p->err);
		free(value);
		return rc;
	}
	if (next.type != TOK_PUNCT || (next.punct != '{' && next.punct != ':')) {
		rc = expected_after(p, name, &next, "'=' or '{'");
		free(next.text);
		return rc;
	}
	if (p->base + *sp + 1 > CONF_SECTION_DEPTH_MAX)
		return fail_at(p, name->pos,
			       "section '%s' nested too deeply", name->text);
	child = conf_child(p->conf, cur, name->text, name->pos, p->err);
	if (!child)
		return -1;
	if (next.punct == ':' && parse_refs(p, lx, child, name) < 0)
		return -1;
	(*sp)++;
	stack[*sp] = (struct open_section){ .sec = child, .pos = name->pos };
	return 0;
}

static int unclosed(struct parser *p, const struct open_section *open,
		    struct conf_pos eof)
{
	return fail_at(p, eof, "unexpected end of file, section '%s' opened "
		       "at %d:%d not closed", open->sec->name, open->pos.line,
		       open->pos.column);
}

static int parse_body(struct parser *p, struct conf_lexer *lx,
		      struct conf_section *into)
{
	struct open_section stack[CONF_SECTION_DEPTH_MAX + 1];
	struct conf_token tok;
	char desc[64];
	int sp = 0, rc = 0;

	stack[0] = (struct open_section){ .sec = into };
	while (rc == 0) {
		conf_lex_next(lx, &tok);
		if (tok.type == TOK_ERROR)
			return -1;
		if (tok.type == TOK_EOF) {
			if (sp > 0)
				return unclosed(p, &stack[sp], tok.pos);
			return 0;
		}
		if (tok.type == TOK_NAME) {
			rc = parse_statement(p, lx, stack, &sp, &tok);
			free(tok.text);
		} else if (tok.punct == '}' && sp > 0) {
			sp--;
		} else if (tok.punct == '}') {
			rc = fail_at(p, tok.pos,
				     "unexpected '}' without an open section");
		} else {
			rc = fail_at(p, tok.pos,
				     "unexpected %s, expected a key or "
				     "section name",
				     token_desc(&tok, desc, sizeof(desc)));
		}
	}
	return rc;
}

static int parse_buffer(struct parser *p, const char *name, const char *buf,
			size_t len, struct conf_section *into)
{
	const char *file = conf_add_file(p->conf, name);
	struct conf_lexer lx;

	if (!file)
		return conf_fail(p->err, name, 0, 0, "out of memory");
	conf_lex_init(&lx, file, buf, len, p->err);
	return parse_body(p, &lx, into);
}

/* Reads a regular file of bounded size into a malloc'd buffer. */
static char *read_file(struct parser *p, const char *path, size_t *len,
		       const struct conf_pos *from)
{
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	const char *why = NULL;

	if (fd < 0)
		why = strerror(errno);
	else if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > CONF_FILE_SIZE_MAX)
		why = "file too large";
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		why = "out of memory";
	if (!why) {
		ssize_t n = read(fd, buf, (size_t)st.st_size + 1);

		if (n < 0 || n > st.st_size)
			why = n < 0 ? strerror(errno) : "file changed while read";
		else
			*len = (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (!why)
		return buf;
	free(buf);
	if (from)
		conf_fail(p->err, from->file, from->line, from->column,
			  "cannot read '%s': %s", path, why);
	else
		conf_fail(p->err, path, 0, 0, "cannot read file: %s", why);
	return NULL;
}

static int enter_file(struct parser *p, const char *path,
		      const struct conf_pos *from)
{
	char *canon;

	if (p->depth > CONF_INCLUDE_DEPTH_MAX)
		return conf_fail(p->err, from->file, from->line, from->column,
				 "includes nested too deeply (more than %d "
				 "levels) at '%s'", CONF_INCLUDE_DEPTH_MAX,
				 path);
	canon = realpath(path, NULL);
	if (!canon) {
		if (from)
			return conf_fail(p->err, from->file, from->line,
					 from->column, "cannot read '%s': %s",
					 path, strerror(errno));
		return conf_fail(p->err, path, 0, 0, "cannot read file: %s",
				 strerror(errno));
	}
	for (int i = 0; i < p->depth; i++) {
		if (strcmp(p->reading[i], canon) == 0) {
			free(canon);
			return conf_fail(p->err, from->file, from->line,
					 from->column, "include cycle: '%s' "
					 "is already being read", path);
		}
	}
	p->reading[p->depth++] = canon;
	return 0;
}

static void leave_file(struct parser *p)
{
	free(p->reading[--p->depth]);
}

static int parse_file(struct parser *p, const char *path,
		      struct conf_section *into, const struct conf_pos *from)
{
	size_t len = 0;
	char *buf;
	int rc;

	if (enter_file(p, path, from) < 0)
		return -1;
	buf = read_file(p, path, &len, from);
	rc = buf ? parse_buffer(p, path, buf, len, into) : -1;
	free(buf);
	leave_file(p);
	return rc;
}

static struct conf *finish(struct parser *p, int rc)
{
	if (rc == 0)
		rc = conf_resolve(p->conf, p->err);
	if (rc == 0)
		return p->conf;
	conf_free(p->conf);
	return NULL;
}

static int no_memory(struct conf_error *err, const char *name)
{
	return conf_fail(err, name, 0, 0, "out of memory");
}

struct conf *conf_load_file(const char *path, struct conf_error *err)
{
	struct parser p = { .err = err };

	p.conf = conf_new();
	if (!p.conf) {
		no_memory(err, path);
		return NULL;
	}
	return finish(&p, parse_file(&p, path, p.conf->root, NULL));
}

/* A string has no file of its own: relative includes are relative to
 * the directory part of name, if any. */
struct conf *conf_load_string(const char *text, const char *name,
			      struct conf_error *err)
{
	struct parser p = { .err = err };

	if (!name)
		name = "<string>";
	p.conf = conf_new();
	if (!p.conf) {
		no_memory(err, name);
		return NULL;
	}
	return finish(&p, parse_buffer(&p, name, text, strlen(text),
				       p.conf->root));
}
