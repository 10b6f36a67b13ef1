/* Tokens of the swanctl.conf syntax.  Names end at blanks and at the
 * characters the grammar gives a meaning; values are read separately,
 * because they run to the end of the line. */
#include "conf_lex.h"

#include <stdlib.h>
#include <string.h>

#include "conf_tree.h"

void conf_lex_init(struct conf_lexer *lx, const char *file, const char *buf,
		   size_t len, struct conf_error *err)
{
	*lx = (struct conf_lexer){
		.buf = buf,
		.len = len,
		.pos = { .file = file, .line = 1, .column = 1 },
		.err = err,
	};
}

static char cur(const struct conf_lexer *lx)
{
	return lx->off < lx->len ? lx->buf[lx->off] : '\0';
}

static bool at_end(const struct conf_lexer *lx)
{
	return lx->off >= lx->len;
}

static void advance(struct conf_lexer *lx)
{
	if (at_end(lx))
		return;
	if (lx->buf[lx->off] == '\n') {
		lx->pos.line++;
		lx->pos.column = 1;
	} else {
		lx->pos.column++;
	}
	lx->off++;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_control(char c)
{
	unsigned char u = (unsigned char)c;

	return (u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f;
}

static bool ends_name(char c)
{
	return is_blank(c) || c == '\n' || strchr("{}=#\":,", c) != NULL ||
	       is_control(c);
}

static void skip_comment(struct conf_lexer *lx)
{
	while (!at_end(lx) && cur(lx) != '\n')
		advance(lx);
}

static int bad_char(struct conf_lexer *lx)
{
	return conf_fail(lx->err, lx->pos.file, lx->pos.line, lx->pos.column,
			 "invalid character 0x%02x",
			 (unsigned char)cur(lx));
}

void conf_lex_next(struct conf_lexer *lx, struct conf_token *tok)
{
	*tok = (struct conf_token){ .type = TOK_EOF };

	for (;;) {
		char c = cur(lx);

		if (at_end(lx))
			break;
		if (is_blank(c) || c == '\n')
			advance(lx);
		else if (c == '#')
			skip_comment(lx);
		else
			break;
	}
	tok->pos = lx->pos;
	tok->end = lx->pos;
	if (at_end(lx))
		return;
	if (is_control(cur(lx))) {
		bad_char(lx);
		tok->type = TOK_ERROR;
		return;
	}
	if (strchr("{}=:,\"", cur(lx))) {
		tok->type = TOK_PUNCT;
		tok->punct = cur(lx);
		advance(lx);
		tok->end = lx->pos;
		return;
	}

	size_t start = lx->off;

	while (!at_end(lx) && !ends_name(cur(lx)))
		advance(lx);
	tok->end = lx->pos;
	tok->text = strndup(lx->buf + start, lx->off - start);
	if (!tok->text) {
		conf_fail(lx->err, tok->pos.file, tok->pos.line,
			  tok->pos.column, "out of memory");
		tok->type = TOK_ERROR;
		return;
	}
	tok->type = TOK_NAME;
}

char conf_lex_peek_line(struct conf_lexer *lx)
{
	while (!at_end(lx) && is_blank(cur(lx)))
		advance(lx);
	if (at_end(lx))
		return '\0';
	if (cur(lx) == '#')
		return '\n';
	return cur(lx);
}

/* A growing string for assembling a value from its parts. */
struct strbuf {
	char *data;
	size_t len, cap;
};

static int sb_putc(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap) {
		size_t ncap = sb->cap ? sb->cap * 2 : 64;
		char *grown = realloc(sb->data, ncap);

		if (!grown)
			return -1;
		sb->data = grown;
		sb->cap = ncap;
	}
	sb->data[sb->len++] = c;
	sb->data[sb->len] = '\0';
	return 0;
}

static char unescape(char c)
{
	switch (c) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	default:
		return c;
	}
}

/* A quoted part; lx is on the opening quote.  Unknown escapes stay as
 * written ("C:\dir" keeps its backslash), as strongSwan does. */
static int lex_quoted(struct conf_lexer *lx, struct strbuf *sb)
{
	struct conf_pos open = lx->pos;

	advance(lx);
	for (;;) {
		char c = cur(lx);

		if (at_end(lx))
			return conf_fail(lx->err, open.file, open.line,
					 open.column,
					 "unterminated quoted string");
		if (c == '"') {
			advance(lx);
			return 0;
		}
		if (c == '\\' && lx->off + 1 < lx->len) {
			char next = lx->buf[lx->off + 1];

			advance(lx);
			if (strchr("nrt\"\\", next)) {
				c = unescape(next);
			} else if (sb_putc(sb, '\\') < 0) {
				goto oom;
			} else {
				c = next;
			}
		}
		if (sb_putc(sb, c) < 0)
			goto oom;
		advance(lx);
	}
oom:
	return conf_fail(lx->err, open.file, open.line, open.column,
			 "out of memory");
}

/* An unquoted part: up to a quote or the end of the value, trimmed. */
static int lex_unquoted(struct conf_lexer *lx, struct strbuf *sb)
{
	size_t start = lx->off, end;

	while (!at_end(lx) && !strchr("\n#}\"", cur(lx))) {
		if (is_control(cur(lx)))
			return bad_char(lx);
		advance(lx);
	}
	end = lx->off;
	while (end > start && is_blank(lx->buf[end - 1]))
		end--;
	for (size_t i = start; i < end; i++) {
		if (sb_putc(sb, lx->buf[i]) < 0)
			return conf_fail(lx->err, lx->pos.file, lx->pos.line,
					 lx->pos.column, "out of memory");
	}
	return 0;
}

int conf_lex_value(struct conf_lexer *lx, char **value)
{
	struct strbuf sb = { 0 };
	bool parts = false, quoted = false;

	*value = NULL;
	for (;;) {
		char c = conf_lex_peek_line(lx);
		int rc;

		if (c == '\0' || c == '\n' || c == '}')
			break;
		if (parts && sb_putc(&sb, ' ') < 0) {
			free(sb.data);
			return conf_fail(lx->err, lx->pos.file, lx->pos.line,
					 lx->pos.column, "out of memory");
		}
		if (c == '"') {
			quoted = true;
			rc = lex_quoted(lx, &sb);
		} else {
			rc = lex_unquoted(lx, &sb);
		}
		if (rc < 0) {
			free(sb.data);
			return -1;
		}
		parts = true;
	}
	if (quoted && !sb.data) {
		sb.data = strdup("");
		if (!sb.data)
			return conf_fail(lx->err, lx->pos.file, lx->pos.line,
					 lx->pos.column, "out of memory");
	}
	*value = sb.data;
	return 0;
}
