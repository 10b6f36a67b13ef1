#include "attr.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* IKEv2 attribute types are 15 bits (the top bit is the format flag). */
#define ATTR_TYPE_MAX 0x7fff

struct named_attr {
	const char *key;
	uint16_t v4;
	uint16_t v6;
};

static const struct named_attr named_attrs[] = {
	{ "address",       1,     8 },	/* INTERNAL_IP4/6_ADDRESS */
	{ "netmask",       2,     9 },	/* INTERNAL_IP4/6_NETMASK */
	{ "dns",           3,     10 },	/* INTERNAL_IP4/6_DNS */
	{ "nbns",          4,     11 },	/* INTERNAL_IP4/6_NBNS */
	{ "dhcp",          6,     12 },	/* INTERNAL_IP4/6_DHCP */
	{ "subnet",        13,    15 },	/* INTERNAL_IP4/6_SUBNET */
	{ "server",        23456, 23457 },	/* INTERNAL_IP4/6_SERVER */
	{ "split_include", 28676, 28676 },	/* UNITY_SPLIT_INCLUDE */
	{ "split_exclude", 28678, 28678 },	/* UNITY_LOCAL_LAN */
};

static const struct named_attr *find_named(const char *key)
{
	for (size_t i = 0; i < sizeof(named_attrs) / sizeof(named_attrs[0]);
	     i++) {
		if (strcmp(named_attrs[i].key, key) == 0)
			return &named_attrs[i];
	}
	return NULL;
}

static bool parse_type_number(const char *key, uint16_t *type)
{
	unsigned long value;
	char *end;

	if (!isdigit((unsigned char)key[0]))
		return false;
	value = strtoul(key, &end, 10);
	if (*end || value == 0 || value > ATTR_TYPE_MAX)
		return false;
	*type = (uint16_t)value;
	return true;
}

/* "192.0.2.1", "198.51.100.0/24" or "2001:db8::/64" into the attribute
 * encoding: the address, then an IPv4 netmask or an IPv6 prefix length. */
static bool encode_address(const char *value, struct pool_attr *out,
			   struct ipaddr *addr)
{
	char text[IPADDR_STRLEN];
	const char *slash = strchr(value, '/');
	size_t len = slash ? (size_t)(slash - value) : strlen(value);
	unsigned long prefix;
	uint32_t mask;
	char *end;

	if (len >= sizeof(text))
		return false;
	memcpy(text, value, len);
	text[len] = '\0';
	if (!ipaddr_parse(text, addr))
		return false;
	memcpy(out->value, addr->b, addr->len);
	out->len = addr->len;
	if (!slash)
		return true;
	if (!isdigit((unsigned char)slash[1]))
		return false;
	prefix = strtoul(slash + 1, &end, 10);
	if (*end || prefix > addr->len * 8u)
		return false;
	if (addr->len == 16) {
		out->value[out->len++] = (uint8_t)prefix;
		return true;
	}
	mask = prefix ? UINT32_MAX << (32 - prefix) : 0;
	for (int i = 0; i < 4; i++)
		out->value[out->len++] = (uint8_t)(mask >> (24 - 8 * i));
	return true;
}

int pool_attr_parse(const char *key, const char *value, struct pool_attr *out,
		    char *err, size_t errlen)
{
	const struct named_attr *named = find_named(key);
	struct ipaddr addr;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!named && !parse_type_number(key, &out->type)) {
		snprintf(err, errlen, "invalid attribute: %s", key);
		return -1;
	}
	if (encode_address(value, out, &addr)) {
		if (named)
			out->type = addr.len == 4 ? named->v4 : named->v6;
		return 0;
	}
	if (named) {
		snprintf(err, errlen, "invalid attribute value for %s: %s", key,
			 value);
		return -1;
	}
	len = strlen(value);
	if (len > sizeof(out->value)) {
		snprintf(err, errlen, "attribute %s: value longer than %zu bytes",
			 key, sizeof(out->value));
		return -1;
	}
	memcpy(out->value, value, len);
	out->len = (uint16_t)len;
	return 0;
}
