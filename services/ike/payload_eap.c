/* EAP payload (RFC 7296 3.16): one EAP packet (RFC 3748). */
#include "ike/message.h"
#include "ike/payload.h"

#include <stdio.h>

#define EAP_HEADER_LEN 4

struct eap_name {
	uint8_t type;
	const char *short_name;	/* charon's eap_type_short_names */
};

static const struct eap_name eap_names[] = {
	{ 1, "ID" }, { 2, "NTF" }, { 3, "NAK" }, { 4, "MD5" }, { 5, "OTP" },
	{ 6, "GTC" }, { 13, "TLS" }, { 18, "SIM" }, { 21, "TTLS" },
	{ 23, "AKA" }, { 25, "PEAP" }, { 26, "MSCHAPV2" }, { 33, "MSTLV" },
	{ 38, "TNC" }, { 54, "PT" },
};

static const char *const code_names[] = { "", "REQ", "RES", "SUCC", "FAIL" };

int payload_eap_validate(const uint8_t *body, size_t len)
{
	if (len < EAP_HEADER_LEN || get16(body + 2) != len)
		return -1;
	switch (body[0]) {
	case EAP_REQUEST:
	case EAP_RESPONSE:
		return len > EAP_HEADER_LEN ? 0 : -1;
	case EAP_SUCCESS:
	case EAP_FAILURE:
		return len == EAP_HEADER_LEN ? 0 : -1;
	default:
		return -1;
	}
}

static const char *eap_short_name(uint8_t type)
{
	for (size_t i = 0; i < sizeof(eap_names) / sizeof(eap_names[0]); i++)
		if (eap_names[i].type == type)
			return eap_names[i].short_name;
	return NULL;
}

void payload_eap_summary(const uint8_t *body, size_t len, char *buf,
			 size_t buflen)
{
	const char *code = code_names[body[0]];
	const char *type;

	if (len == EAP_HEADER_LEN) {
		snprintf(buf, buflen, "/%s", code);
		return;
	}
	type = eap_short_name(body[EAP_HEADER_LEN]);
	if (type)
		snprintf(buf, buflen, "/%s/%s", code, type);
	else
		snprintf(buf, buflen, "/%s/%u", code, body[EAP_HEADER_LEN]);
}

void payload_eap_write(struct msg_builder *b, const uint8_t *eap, size_t len)
{
	builder_begin(b, PL_EAP, false);
	wbuf_put(&b->w, eap, len);
	builder_end(b);
}
