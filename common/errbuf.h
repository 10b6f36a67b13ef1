/* Errors handed back in a caller's buffer, as the parsers of RPC
 * messages and state records report why they refused one. */
#ifndef CYGNET_ERRBUF_H
#define CYGNET_ERRBUF_H

#include <stddef.h>

/* Formats into buf and returns -1, so a check reads
 * `return errbuf_fail(why, len, "...", ...);`. */
int errbuf_fail(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
