/* Configuration attributes a pool hands out with its leases (RFC 7296
 * 3.15.1 and the Unity extensions strongSwan supports), parsed from the
 * other keys of a pool section as swanctl.conf defines them:
 *   dns = 192.0.2.53, 2001:db8::53    split_include = 198.51.100.0/24
 * Named keys pick the IPv4 or IPv6 attribute type by the value's family;
 * a numeric key is the attribute type itself, its value an address or
 * subnet when it parses as one and the raw string otherwise. */
#ifndef POOL_ATTR_H
#define POOL_ATTR_H

#include <stddef.h>
#include <stdint.h>

#define POOL_ATTR_VALUE_MAX 256

struct pool_attr {
	uint16_t type;
	uint16_t len;
	uint8_t value[POOL_ATTR_VALUE_MAX];
};

/* Returns 0, or -1 with the reason in err. */
int pool_attr_parse(const char *key, const char *value, struct pool_attr *out,
		    char *err, size_t errlen);

#endif
