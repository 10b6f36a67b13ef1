#include "ike/message.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

const char *exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKE_AUTH:
		return "IKE_AUTH";
	case CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "UNDEFINED";
	}
}

bool message_is_request(const struct ike_header *hdr)
{
	return !(hdr->flags & FLAG_RESPONSE);
}

enum parse_status message_parse_header(const uint8_t *data, size_t len,
				       struct ike_header *hdr)
{
	if (len < IKE_HEADER_LEN) {
		DBG1(LOG_ENC, "message too short (%zu bytes)", len);
		return PARSE_MALFORMED;
	}
	memcpy(hdr->spi_i, data, 8);
	memcpy(hdr->spi_r, data + 8, 8);
	hdr->next_payload = data[16];
	hdr->version = data[17];
	hdr->exchange = data[18];
	hdr->flags = data[19];
	hdr->message_id = get32(data + 20);
	hdr->length = get32(data + 24);
	if (hdr->version >> 4 != IKE_MAJOR_VERSION) {
		DBG1(LOG_ENC, "unsupported major IKE version %u",
		     hdr->version >> 4);
		return PARSE_INVALID_MAJOR;
	}
	if (hdr->length != len) {
		DBG1(LOG_ENC, "invalid IKE header length %u in %zu bytes",
		     hdr->length, len);
		return PARSE_MALFORMED;
	}
	return PARSE_OK;
}

static bool is_encrypted_type(uint8_t type)
{
	return type == PL_SK || type == PL_SKF;
}

/* Walks a chain of generic payload headers starting with type first. */
static enum parse_status parse_chain(struct ike_message *msg, uint8_t first,
				     const uint8_t *data, size_t len,
				     bool outer)
{
	uint8_t type = first;
	size_t off = 0;

	msg->n_payloads = 0;
	while (type != PL_NONE) {
		struct payload *p;
		uint16_t plen;

		if (len - off < PAYLOAD_HEADER_LEN) {
			DBG1(LOG_ENC, "payload header of type %u truncated", type);
			return PARSE_MALFORMED;
		}
		plen = get16(data + off + 2);
		if (plen < PAYLOAD_HEADER_LEN || plen > len - off) {
			DBG1(LOG_ENC, "invalid length %u of payload type %u",
			     plen, type);
			return PARSE_MALFORMED;
		}
		if (msg->n_payloads == MESSAGE_MAX_PAYLOADS) {
			DBG1(LOG_ENC, "too many payloads in message");
			return PARSE_MALFORMED;
		}
		p = &msg->payloads[msg->n_payloads];
		p->type = type;
		p->critical = data[off + 1] & 0x80;
		p->body = data + off + PAYLOAD_HEADER_LEN;
		p->len = plen - PAYLOAD_HEADER_LEN;
		type = data[off];
		off += plen;
		if (!payload_known(p->type)) {
			if (p->critical) {
				DBG1(LOG_ENC, "payload type %u is not supported, "
				     "but payload is critical!", p->type);
				msg->unsupported_critical = p->type;
				return PARSE_UNSUPPORTED_CRITICAL;
			}
			DBG1(LOG_ENC, "payload type %u is not supported, skipped",
			     p->type);
			continue;
		}
		if (payload_validate(p->type, p->body, p->len) < 0) {
			DBG1(LOG_ENC, "%s payload verification failed",
			     payload_short_name(p->type));
			return PARSE_MALFORMED;
		}
		msg->n_payloads++;
		if (is_encrypted_type(p->type)) {
			/* SK is last; its next-payload names the inner chain. */
			if (!outer || off != len) {
				DBG1(LOG_ENC, "encrypted payload is not the last one");
				return PARSE_MALFORMED;
			}
			msg->encrypted = p;
			msg->inner_next = type;
			return PARSE_OK;
		}
	}
	if (off != len) {
		DBG1(LOG_ENC, "%zu bytes after the last payload", len - off);
		return PARSE_MALFORMED;
	}
	return PARSE_OK;
}

enum parse_status message_parse(const uint8_t *data, size_t len,
				struct ike_message *msg)
{
	enum parse_status rc;

	memset(msg, 0, offsetof(struct ike_message, payloads));
	msg->encrypted = NULL;
	msg->inner_next = PL_NONE;
	msg->unsupported_critical = 0;
	rc = message_parse_header(data, len, &msg->hdr);
	if (rc != PARSE_OK)
		return rc;
	return parse_chain(msg, msg->hdr.next_payload, data + IKE_HEADER_LEN,
			   len - IKE_HEADER_LEN, true);
}

enum parse_status message_parse_inner(struct ike_message *msg,
				      const uint8_t *plain, size_t len)
{
	uint8_t first = msg->inner_next;

	msg->encrypted = NULL;
	return parse_chain(msg, first, plain, len, false);
}

const struct payload *message_find(const struct ike_message *msg, uint8_t type)
{
	for (size_t i = 0; i < msg->n_payloads; i++)
		if (msg->payloads[i].type == type)
			return &msg->payloads[i];
	return NULL;
}

const struct payload *message_find_notify(const struct ike_message *msg,
					  uint16_t type)
{
	for (size_t i = 0; i < msg->n_payloads; i++) {
		const struct payload *p = &msg->payloads[i];
		struct notify_payload n;

		if (p->type != PL_NOTIFY)
			continue;
		payload_notify_parse(p->body, p->len, &n);
		if (n.type == type)
			return p;
	}
	return NULL;
}

/* The detail charon appends to a payload's short name. */
static void payload_detail(const struct payload *p, char *buf, size_t len)
{
	struct notify_payload n;
	struct skf_payload f;
	const char *name;

	buf[0] = '\0';
	switch (p->type) {
	case PL_NOTIFY:
		payload_notify_parse(p->body, p->len, &n);
		name = notify_short_name(n.type);
		if (name)
			snprintf(buf, len, "(%s)", name);
		else
			snprintf(buf, len, "(%u)", n.type);
		break;
	case PL_EAP:
		payload_eap_summary(p->body, p->len, buf, len);
		break;
	case PL_SKF:
		payload_skf_parse(p->body, p->len, &f);
		snprintf(buf, len, "(%u/%u)", f.number, f.total);
		break;
	case PL_CP: {
		static const char *const pfx[] = { "(", "RQ(", "RP(", "S(", "A(" };
		struct cp_payload cp;
		size_t used = 0;

		payload_cp_parse(p->body, p->len, &cp);
		for (size_t i = 0; i < cp.n_attrs && used < len; i++) {
			const char *attr = cp_attr_short_name(cp.attrs[i].type);
			char num[8];

			if (!attr) {
				snprintf(num, sizeof(num), "%u", cp.attrs[i].type);
				attr = num;
			}
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
				i ? " " : pfx[cp.type <= CFG_ACK ? cp.type : 0],
				attr);
		}
		if (cp.n_attrs && used < len)
			snprintf(buf + used, len - used, ")");
		break;
	}
	default:
		break;
	}
}

void message_summary(const struct ike_message *msg, char *buf, size_t len)
{
	size_t used;

	used = (size_t)snprintf(buf, len, "%s %s %u [",
				exchange_name(msg->hdr.exchange),
				message_is_request(&msg->hdr) ? "request" : "response",
				msg->hdr.message_id);
	for (size_t i = 0; i < msg->n_payloads && used < len; i++) {
		const struct payload *p = &msg->payloads[i];
		char detail[256];

		payload_detail(p, detail, sizeof(detail));
		used += (size_t)snprintf(buf + used, len - used, " %s%s",
					 payload_short_name(p->type), detail);
	}
	if (used < len)
		snprintf(buf + used, len - used, " ]");
}

static void write_header(struct wbuf *w, const struct ike_header *hdr)
{
	wbuf_put(w, hdr->spi_i, 8);
	wbuf_put(w, hdr->spi_r, 8);
	wbuf_put8(w, PL_NONE);
	wbuf_put8(w, hdr->version);
	wbuf_put8(w, hdr->exchange);
	wbuf_put8(w, hdr->flags);
	wbuf_put32(w, hdr->message_id);
	wbuf_put32(w, 0);
}

void builder_init(struct msg_builder *b, uint8_t *buf, size_t cap,
		  const struct ike_header *hdr)
{
	wbuf_init(&b->w, buf, cap);
	b->has_header = true;
	b->next_field = 16;
	b->first_type = PL_NONE;
	b->payload_start = 0;
	write_header(&b->w, hdr);
}

void builder_init_chain(struct msg_builder *b, uint8_t *buf, size_t cap)
{
	wbuf_init(&b->w, buf, cap);
	b->has_header = false;
	b->next_field = SIZE_MAX;
	b->first_type = PL_NONE;
	b->payload_start = 0;
}

void builder_begin(struct msg_builder *b, uint8_t type, bool critical)
{
	if (b->next_field == SIZE_MAX)
		b->first_type = type;
	else if (!b->w.overflow)
		b->w.data[b->next_field] = type;
	b->payload_start = b->w.len;
	b->next_field = b->w.len;
	wbuf_put8(&b->w, PL_NONE);
	wbuf_put8(&b->w, critical ? 0x80 : 0);
	wbuf_put16(&b->w, 0);
}

void builder_begin_encrypted(struct msg_builder *b, uint8_t type,
			     uint8_t inner_first)
{
	builder_begin(b, type, false);
	if (!b->w.overflow)
		b->w.data[b->payload_start] = inner_first;
}

void builder_end(struct msg_builder *b)
{
	size_t len = b->w.len - b->payload_start;

	if (len > UINT16_MAX)
		b->w.overflow = true;
	wbuf_set16(&b->w, b->payload_start + 2, (uint16_t)len);
}

size_t builder_finish(struct msg_builder *b)
{
	if (b->w.overflow)
		return 0;
	if (b->has_header) {
		uint8_t *p = b->w.data + 24;
		uint32_t len = (uint32_t)b->w.len;

		p[0] = (uint8_t)(len >> 24);
		p[1] = (uint8_t)(len >> 16);
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
	}
	return b->w.len;
}
