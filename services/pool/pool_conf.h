/* The pools { } section (swanctl.conf syntax) as pool definitions:
 *
 *   pools {
 *     ipv4 { addrs = 10.10.1.64/26  dns = 10.10.0.1 }
 *     ipv6 { addrs = 2a02:168:4407:1::/122 }
 *   }
 *
 * Every pool needs addrs; pools of one family must not overlap.  Errors
 * name the file and line of the offending key. */
#ifndef POOL_CONF_H
#define POOL_CONF_H

#include <stddef.h>

#include "attr.h"
#include "conf.h"
#include "range.h"

#define POOL_NAME_MAX 64
#define POOL_WHERE_MAX 300

struct pool_def {
	char name[POOL_NAME_MAX];
	char where[POOL_WHERE_MAX];	/* "FILE:LINE" of the pool section */
	struct pool_range range;
	struct pool_attr *attrs;
	size_t n_attrs;
};

struct pool_defs {
	struct pool_def *defs;
	size_t count;
};

/* pools may be NULL (no pools).  Returns 0, or -1 with
 * "FILE:LINE: pool 'NAME': REASON" in err. */
int pool_conf_parse(const struct conf_section *pools, struct pool_defs *out,
		    char *err, size_t errlen);
void pool_defs_free(struct pool_defs *defs);

const struct pool_def *pool_defs_find(const struct pool_defs *defs,
				      const char *name);

#endif
