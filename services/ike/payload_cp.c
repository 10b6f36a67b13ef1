/* Configuration payload (RFC 7296 3.15) and its attributes. */
#include "ike/message.h"
#include "ike/payload.h"

#define CP_HEADER_LEN 4
#define ATTR_HEADER_LEN 4
#define ATTR_TYPE_MASK 0x7fff

struct cp_attr_kind {
	uint16_t type;
	const char *short_name;	/* charon's configuration attribute short names */
	size_t value_len;	/* besides 0 (a request); 0: any length */
};

static const struct cp_attr_kind kinds[] = {
	{ CP_INTERNAL_IP4_ADDRESS, "ADDR", 4 },
	{ CP_INTERNAL_IP4_NETMASK, "MASK", 4 },
	{ CP_INTERNAL_IP4_DNS, "DNS", 4 },
	{ CP_INTERNAL_IP4_NBNS, "NBNS", 4 },
	{ CP_INTERNAL_ADDRESS_EXPIRY, "EXP", 4 },
	{ CP_INTERNAL_IP4_DHCP, "DHCP", 4 },
	{ CP_APPLICATION_VERSION, "VER", 0 },
	{ CP_INTERNAL_IP6_ADDRESS, "ADDR6", 17 },
	{ 9, "MASK6", 0 },
	{ CP_INTERNAL_IP6_DNS, "DNS6", 16 },
	{ 11, "NBNS6", 0 },
	{ CP_INTERNAL_IP6_DHCP, "DHCP6", 16 },
	{ CP_INTERNAL_IP4_SUBNET, "SUBNET", 8 },
	{ CP_SUPPORTED_ATTRIBUTES, "SUP", 0 },
	{ CP_INTERNAL_IP6_SUBNET, "SUBNET6", 17 },
	{ CP_INTERNAL_IP4_SERVER, "SRV", 4 },
	{ CP_INTERNAL_IP6_SERVER, "SRV6", 16 },
};

static const struct cp_attr_kind *kind(uint16_t type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == type)
			return &kinds[i];
	return NULL;
}

const char *cp_attr_short_name(uint16_t type)
{
	const struct cp_attr_kind *k = kind(type);

	return k ? k->short_name : NULL;
}

static bool attr_len_valid(uint16_t type, size_t len)
{
	const struct cp_attr_kind *k = kind(type);

	if (!k || len == 0 || k->value_len == 0)
		return type != CP_SUPPORTED_ATTRIBUTES || len % 2 == 0;
	return len == k->value_len;
}

int payload_cp_validate(const uint8_t *body, size_t len)
{
	size_t off = CP_HEADER_LEN;

	if (len < CP_HEADER_LEN || body[0] < CFG_REQUEST || body[0] > CFG_ACK)
		return -1;
	while (off < len) {
		uint16_t alen;

		if (len - off < ATTR_HEADER_LEN)
			return -1;
		alen = get16(body + off + 2);
		if (alen > len - off - ATTR_HEADER_LEN ||
		    !attr_len_valid(get16(body + off) & ATTR_TYPE_MASK, alen))
			return -1;
		off += ATTR_HEADER_LEN + alen;
	}
	return 0;
}

void payload_cp_parse(const uint8_t *body, size_t len, struct cp_payload *cp)
{
	size_t off = CP_HEADER_LEN;

	cp->type = body[0];
	cp->n_attrs = 0;
	while (off < len && cp->n_attrs < CP_MAX_ATTRS) {
		struct cp_attr *a = &cp->attrs[cp->n_attrs++];

		a->type = get16(body + off) & ATTR_TYPE_MASK;
		a->len = get16(body + off + 2);
		a->value = body + off + ATTR_HEADER_LEN;
		off += ATTR_HEADER_LEN + a->len;
	}
}

void payload_cp_write(struct msg_builder *b, const struct cp_payload *cp)
{
	builder_begin(b, PL_CP, false);
	wbuf_put8(&b->w, cp->type);
	wbuf_put8(&b->w, 0);
	wbuf_put16(&b->w, 0);
	for (size_t i = 0; i < cp->n_attrs; i++) {
		wbuf_put16(&b->w, cp->attrs[i].type & ATTR_TYPE_MASK);
		wbuf_put16(&b->w, (uint16_t)cp->attrs[i].len);
		wbuf_put(&b->w, cp->attrs[i].value, cp->attrs[i].len);
	}
	builder_end(b);
}
