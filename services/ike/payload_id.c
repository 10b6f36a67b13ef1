/* Identification payloads IDi/IDr (RFC 7296 3.5). */
#include "ike/message.h"
#include "ike/payload.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "ike/dn.h"

#define ID_HEADER_LEN 4

static bool printable(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

int payload_id_validate(const uint8_t *body, size_t len)
{
	const uint8_t *data = body + ID_HEADER_LEN;
	size_t dlen;

	if (len <= ID_HEADER_LEN)
		return -1;
	dlen = len - ID_HEADER_LEN;
	switch (body[0]) {
	case ID_IPV4_ADDR:
		return dlen == 4 ? 0 : -1;
	case ID_IPV6_ADDR:
		return dlen == 16 ? 0 : -1;
	case ID_FQDN:
	case ID_RFC822_ADDR:
		return printable(data, dlen) ? 0 : -1;
	case ID_DER_ASN1_DN:
	case ID_KEY_ID:
		return 0;
	default:
		/* Other types (IPv4 subnets, ranges...) are carried as
		 * opaque data and never match a configured identity. */
		return 0;
	}
}

void payload_id_parse(const uint8_t *body, size_t len, struct id_payload *id)
{
	id->type = body[0];
	id->data = body + ID_HEADER_LEN;
	id->len = len - ID_HEADER_LEN;
}

void payload_id_write(struct msg_builder *b, uint8_t payload_type,
		      const struct id_payload *id)
{
	builder_begin(b, payload_type, false);
	wbuf_put8(&b->w, id->type);
	wbuf_put8(&b->w, 0);
	wbuf_put16(&b->w, 0);
	wbuf_put(&b->w, id->data, id->len);
	builder_end(b);
}

static void format_hex(const char *prefix, const uint8_t *p, size_t n,
		       char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", prefix);

	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%02x", p[i]);
}

void id_format(const struct id_payload *id, char *buf, size_t len)
{
	switch (id->type) {
	case ID_IPV4_ADDR:
		if (id->len == 4 && inet_ntop(AF_INET, id->data, buf, (socklen_t)len))
			return;
		break;
	case ID_IPV6_ADDR:
		if (id->len == 16 && inet_ntop(AF_INET6, id->data, buf, (socklen_t)len))
			return;
		break;
	case ID_FQDN:
	case ID_RFC822_ADDR:
		snprintf(buf, len, "%.*s", (int)id->len, (const char *)id->data);
		return;
	case ID_DER_ASN1_DN:
		if (dn_format_der(id->data, id->len, buf, len) == 0)
			return;
		break;
	case ID_KEY_ID:
		format_hex("@#", id->data, id->len, buf, len);
		return;
	default:
		break;
	}
	format_hex("(unknown) ", id->data, id->len, buf, len);
}
