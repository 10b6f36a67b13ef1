/* Internal: the tokenizer of the swanctl.conf syntax, one per file. */
#ifndef CYGNET_CONF_LEX_H
#define CYGNET_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

enum conf_tok {
	TOK_EOF,
	TOK_NAME,	/* a run of name characters (may contain '.') */
	TOK_PUNCT,	/* one of { } = : , " */
	TOK_ERROR,	/* err is filled */
};

struct conf_token {
	enum conf_tok type;
	char punct;
	char *text;		/* TOK_NAME: malloc'd, caller frees */
	struct conf_pos pos;	/* where the token starts */
	struct conf_pos end;	/* just after it */
};

struct conf_lexer {
	const char *buf;
	size_t len;
	size_t off;
	struct conf_pos pos;	/* of buf[off] */
	struct conf_error *err;
};

void conf_lex_init(struct conf_lexer *lx, const char *file, const char *buf,
		   size_t len, struct conf_error *err);

/* The next token, skipping blanks, newlines and comments. */
void conf_lex_next(struct conf_lexer *lx, struct conf_token *tok);

/* The character after blanks on the current line: '\n' at the end of a
 * line or a comment, '\0' at the end of the buffer. */
char conf_lex_peek_line(struct conf_lexer *lx);

/* The value after '=' up to the end of the line, a '#' or a '}':
 * unquoted parts trimmed, quoted parts unescaped, parts joined by one
 * space.  *value is NULL for an empty unquoted value ("key =").
 * Returns 0, or -1 with err filled. */
int conf_lex_value(struct conf_lexer *lx, char **value);

#endif
