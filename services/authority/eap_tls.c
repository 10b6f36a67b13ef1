#include "authority/eap_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int eap_tls_parse(const uint8_t *pkt, size_t len, uint8_t expected_code,
		  struct eap_tls_msg *msg, char *why, size_t whylen)
{
	size_t length;
	size_t off = EAP_TLS_HEADER;

	memset(msg, 0, sizeof(*msg));
	if (len < 4) {
		snprintf(why, whylen, "EAP packet too short (%zu bytes)", len);
		return -1;
	}
	msg->code = pkt[0];
	msg->identifier = pkt[1];
	length = get16(pkt + 2);
	/* octets beyond Length are link layer padding (RFC 3748 4) */
	if (length < 4 || length > len) {
		snprintf(why, whylen, "EAP length %zu invalid for %zu bytes", length, len);
		return -1;
	}
	if (msg->code != expected_code) {
		snprintf(why, whylen, "unexpected EAP code %u", msg->code);
		return -1;
	}
	if (length < 5) {
		snprintf(why, whylen, "EAP packet without type");
		return -1;
	}
	if (pkt[4] != EAP_TYPE_TLS) {
		snprintf(why, whylen, pkt[4] == EAP_TYPE_NAK ?
			 "peer rejected EAP-TLS (Nak)" : "unexpected EAP type %u", pkt[4]);
		return -1;
	}
	if (length < EAP_TLS_HEADER) {
		snprintf(why, whylen, "EAP-TLS packet without flags");
		return -1;
	}
	msg->flags = pkt[5];
	if (msg->flags & EAP_TLS_FLAG_LENGTH) {
		if (length < EAP_TLS_HEADER + EAP_TLS_LENGTH_FIELD) {
			snprintf(why, whylen, "EAP-TLS L flag without length");
			return -1;
		}
		msg->has_length = true;
		msg->tls_length = get32(pkt + EAP_TLS_HEADER);
		off += EAP_TLS_LENGTH_FIELD;
	}
	msg->data = pkt + off;
	msg->len = length - off;
	return 0;
}

size_t eap_build_result(uint8_t code, uint8_t identifier, uint8_t *out)
{
	out[0] = code;
	out[1] = identifier;
	out[2] = 0;
	out[3] = 4;
	return 4;
}

void eap_tls_frag_init(struct eap_tls_frag *f, size_t fragment_size,
		       size_t max_message)
{
	memset(f, 0, sizeof(*f));
	f->fragment_size = fragment_size < EAP_TLS_MIN_FRAGMENT ?
			   EAP_TLS_MIN_FRAGMENT : fragment_size;
	if (f->fragment_size > EAP_PACKET_MAX)
		f->fragment_size = EAP_PACKET_MAX;
	f->max_message = max_message;
}

void eap_tls_frag_free(struct eap_tls_frag *f)
{
	free(f->in);
	free(f->out);
	f->in = f->out = NULL;
	f->in_len = f->out_len = f->out_off = 0;
}

void eap_tls_consumed(struct eap_tls_frag *f)
{
	free(f->in);
	f->in = NULL;
	f->in_len = 0;
	f->in_expected = 0;
	f->in_partial = false;
}

static int append_in(struct eap_tls_frag *f, const uint8_t *data, size_t len,
		     char *why, size_t whylen)
{
	uint8_t *grown;

	if (f->in_len + len > f->max_message) {
		snprintf(why, whylen, "EAP-TLS message exceeds %zu bytes", f->max_message);
		return -1;
	}
	if (len == 0)
		return 0;
	grown = realloc(f->in, f->in_len + len);
	if (!grown) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(grown + f->in_len, data, len);
	f->in = grown;
	f->in_len += len;
	return 0;
}

/* The L field, where given, must announce the same total every time. */
static int check_length(struct eap_tls_frag *f, const struct eap_tls_msg *msg,
			char *why, size_t whylen)
{
	if (!msg->has_length)
		return 0;
	if (msg->tls_length > f->max_message) {
		snprintf(why, whylen, "EAP-TLS message of %u bytes exceeds %zu",
			 msg->tls_length, f->max_message);
		return -1;
	}
	if (f->in_partial && f->in_expected && f->in_expected != msg->tls_length) {
		snprintf(why, whylen, "EAP-TLS length changed between fragments");
		return -1;
	}
	f->in_expected = msg->tls_length;
	return 0;
}

enum eap_tls_rx eap_tls_receive(struct eap_tls_frag *f,
				const struct eap_tls_msg *msg, char *why,
				size_t whylen)
{
	bool more = msg->flags & EAP_TLS_FLAG_MORE;

	if (msg->len == 0 && !more && !f->in_partial)
		return EAP_TLS_RX_ACK;
	if (msg->len == 0) {
		snprintf(why, whylen, "empty EAP-TLS fragment");
		return EAP_TLS_RX_ERROR;
	}
	if (eap_tls_sending(f)) {
		snprintf(why, whylen, "EAP-TLS data received while our fragments "
			 "are outstanding");
		return EAP_TLS_RX_ERROR;
	}
	if (check_length(f, msg, why, whylen) < 0 ||
	    append_in(f, msg->data, msg->len, why, whylen) < 0)
		return EAP_TLS_RX_ERROR;
	if (f->in_expected && f->in_len > f->in_expected) {
		snprintf(why, whylen, "EAP-TLS fragments exceed announced length %zu",
			 f->in_expected);
		return EAP_TLS_RX_ERROR;
	}
	f->in_partial = more;
	if (more)
		return EAP_TLS_RX_MORE;
	if (f->in_expected && f->in_len != f->in_expected) {
		snprintf(why, whylen, "EAP-TLS message of %zu bytes, %zu announced",
			 f->in_len, f->in_expected);
		return EAP_TLS_RX_ERROR;
	}
	return EAP_TLS_RX_DONE;
}

int eap_tls_queue(struct eap_tls_frag *f, const uint8_t *data, size_t len)
{
	size_t pending = f->out_len - f->out_off;
	uint8_t *buf;

	if (pending + len > f->max_message)
		return -1;
	buf = malloc(pending + len ? pending + len : 1);
	if (!buf)
		return -1;
	if (pending)
		memcpy(buf, f->out + f->out_off, pending);
	memcpy(buf + pending, data, len);
	free(f->out);
	f->out = buf;
	f->out_len = pending + len;
	f->out_off = 0;
	return 0;
}

bool eap_tls_sending(const struct eap_tls_frag *f)
{
	return f->out_off < f->out_len;
}

static void put_header(uint8_t *out, uint8_t code, uint8_t id, size_t len,
		       uint8_t flags)
{
	out[0] = code;
	out[1] = id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	out[4] = EAP_TYPE_TLS;
	out[5] = flags;
}

size_t eap_tls_next_packet(struct eap_tls_frag *f, uint8_t code,
			   uint8_t identifier, uint8_t flags, uint8_t *out,
			   size_t cap)
{
	size_t limit = cap < f->fragment_size ? cap : f->fragment_size;
	size_t pending = f->out_len - f->out_off;
	size_t off = EAP_TLS_HEADER;
	size_t chunk;

	if (!pending) {
		put_header(out, code, identifier, EAP_TLS_HEADER, flags);
		return EAP_TLS_HEADER;
	}
	/* The first fragment of a fragmented message carries the total. */
	if (f->out_off == 0 && pending > limit - EAP_TLS_HEADER) {
		flags |= EAP_TLS_FLAG_LENGTH;
		off += EAP_TLS_LENGTH_FIELD;
		out[6] = (uint8_t)(f->out_len >> 24);
		out[7] = (uint8_t)(f->out_len >> 16);
		out[8] = (uint8_t)(f->out_len >> 8);
		out[9] = (uint8_t)f->out_len;
	}
	chunk = limit - off;
	if (pending > chunk)
		flags |= EAP_TLS_FLAG_MORE;
	else
		chunk = pending;
	memcpy(out + off, f->out + f->out_off, chunk);
	f->out_off += chunk;
	put_header(out, code, identifier, off + chunk, flags);
	if (!eap_tls_sending(f)) {
		free(f->out);
		f->out = NULL;
		f->out_len = f->out_off = 0;
	}
	return off + chunk;
}
