/* Traffic selectors (RFC 7296 3.13.1) as configured in swanctl.conf
 * ("10.1.0.0/16", "192.0.2.1-192.0.2.9", "::/0[tcp/443]", "dynamic")
 * and printed as charon prints them ("10.1.0.0/16", "0.0.0.0/0"). */
#ifndef CYGNET_IKE_TS_H
#define CYGNET_IKE_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.pb-c.h"

enum ts_type {
	TS_IPV4_ADDR_RANGE = 7,
	TS_IPV6_ADDR_RANGE = 8,
};

struct ts {
	bool dynamic;		/* "dynamic": the peer's / our address */
	uint8_t type;		/* enum ts_type */
	uint8_t protocol;	/* 0 any */
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start[16];	/* network byte order, 4 or 16 bytes used */
	uint8_t end[16];
};

size_t ts_addr_len(const struct ts *ts);

/* Returns 0, or -1 with a message in err. */
int ts_parse(const char *text, struct ts *out, char *err, size_t errlen);
void ts_format(const struct ts *ts, char *buf, size_t len);

/* ts[0..n) as TrafficSelector messages for the other services and the
 * state file: built in store, pointing into ts, listed in p (returned). */
Cygnet__TrafficSelector **ts_to_pb(const struct ts *ts, size_t n,
				   Cygnet__TrafficSelector *store,
				   Cygnet__TrafficSelector **p);

#endif
