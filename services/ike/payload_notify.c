/* Notify payload (RFC 7296 3.10) and the notify type names. */
#include "ike/message.h"
#include "ike/payload.h"

#define NOTIFY_HEADER_LEN 4

struct notify_name {
	uint16_t type;
	const char *name;	/* charon's notify_type_names */
	const char *short_name;	/* charon's notify_type_short_names */
};

static const struct notify_name names[] = {
	{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD", "CRIT" },
	{ 4, "INVALID_IKE_SPI", "INVAL_IKE_SPI" },
	{ 5, "INVALID_MAJOR_VERSION", "INVAL_MAJOR" },
	{ 7, "INVALID_SYNTAX", "INVAL_SYN" },
	{ 9, "INVALID_MESSAGE_ID", "INVAL_MID" },
	{ 11, "INVALID_SPI", "INVAL_SPI" },
	{ 14, "NO_PROPOSAL_CHOSEN", "NO_PROP" },
	{ 17, "INVALID_KE_PAYLOAD", "INVAL_KE" },
	{ 24, "AUTHENTICATION_FAILED", "AUTH_FAILED" },
	{ 34, "SINGLE_PAIR_REQUIRED", "SINGLE_PAIR" },
	{ 35, "NO_ADDITIONAL_SAS", "NO_ADD_SAS" },
	{ 36, "INTERNAL_ADDRESS_FAILURE", "INT_ADDR_FAIL" },
	{ 37, "FAILED_CP_REQUIRED", "FAIL_CP_REQ" },
	{ 38, "TS_UNACCEPTABLE", "TS_UNACCEPT" },
	{ 39, "INVALID_SELECTORS", "INVAL_SEL" },
	{ 40, "UNACCEPTABLE_ADDRESSES", "UNACCEPT_ADDR" },
	{ 41, "UNEXPECTED_NAT_DETECTED", "UNEXPECT_NAT" },
	{ 42, "USE_ASSIGNED_HoA", "ASSIGNED_HoA" },
	{ 43, "TEMPORARY_FAILURE", "TEMP_FAIL" },
	{ 44, "CHILD_SA_NOT_FOUND", "NO_CHILD_SA" },
	{ 16384, "INITIAL_CONTACT", "INIT_CONTACT" },
	{ 16385, "SET_WINDOW_SIZE", "SET_WINSIZE" },
	{ 16386, "ADDITIONAL_TS_POSSIBLE", "ADD_TS_POSS" },
	{ 16387, "IPCOMP_SUPPORTED", "IPCOMP_SUPP" },
	{ 16388, "NAT_DETECTION_SOURCE_IP", "NATD_S_IP" },
	{ 16389, "NAT_DETECTION_DESTINATION_IP", "NATD_D_IP" },
	{ 16390, "COOKIE", "COOKIE" },
	{ 16391, "USE_TRANSPORT_MODE", "USE_TRANSP" },
	{ 16392, "HTTP_CERT_LOOKUP_SUPPORTED", "HTTP_CERT_LOOK" },
	{ 16393, "REKEY_SA", "REKEY_SA" },
	{ 16394, "ESP_TFC_PADDING_NOT_SUPPORTED", "ESP_TFC_PAD_N" },
	{ 16395, "NON_FIRST_FRAGMENTS_ALSO", "NON_FIRST_FRAG" },
	{ 16396, "MOBIKE_SUPPORTED", "MOBIKE_SUP" },
	{ 16397, "ADDITIONAL_IP4_ADDRESS", "ADD_4_ADDR" },
	{ 16398, "ADDITIONAL_IP6_ADDRESS", "ADD_6_ADDR" },
	{ 16399, "NO_ADDITIONAL_ADDRESSES", "NO_ADD_ADDR" },
	{ 16400, "UPDATE_SA_ADDRESSES", "UPD_SA_ADDR" },
	{ 16401, "COOKIE2", "COOKIE2" },
	{ 16402, "NO_NATS_ALLOWED", "NO_NATS" },
	{ 16403, "AUTH_LIFETIME", "AUTH_LFT" },
	{ 16404, "MULTIPLE_AUTH_SUPPORTED", "MULT_AUTH" },
	{ 16405, "ANOTHER_AUTH_FOLLOWS", "AUTH_FOLLOWS" },
	{ 16406, "REDIRECT_SUPPORTED", "REDIR_SUP" },
	{ 16407, "REDIRECT", "REDIR" },
	{ 16408, "REDIRECTED_FROM", "REDIR_FROM" },
	{ 16409, "TICKET_LT_OPAQUE", "TKT_LT_OPAK" },
	{ 16410, "TICKET_REQUEST", "TKT_REQ" },
	{ 16411, "TICKET_ACK", "TKT_ACK" },
	{ 16412, "TICKET_NACK", "TKT_NACK" },
	{ 16413, "TICKET_OPAQUE", "TKT_OPAK" },
	{ 16414, "LINK_ID", "LINK_ID" },
	{ 16415, "USE_WESP_MODE", "WESP_MODE" },
	{ 16416, "ROHC_SUPPORTED", "ROHC_SUP" },
	{ 16417, "EAP_ONLY_AUTHENTICATION", "EAP_ONLY" },
	{ 16418, "CHILDLESS_IKEV2_SUPPORTED", "CHDLESS_SUP" },
	{ 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED", "MSG_ID_SYN_SUP" },
	{ 16430, "IKEV2_FRAGMENTATION_SUPPORTED", "FRAG_SUP" },
	{ 16431, "SIGNATURE_HASH_ALGORITHMS", "HASH_ALG" },
};

static const struct notify_name *lookup(uint16_t type)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return &names[i];
	return NULL;
}

const char *notify_short_name(uint16_t type)
{
	const struct notify_name *n = lookup(type);

	return n ? n->short_name : NULL;
}

const char *notify_name(uint16_t type)
{
	const struct notify_name *n = lookup(type);

	return n ? n->name : NULL;
}

/* Data lengths fixed by the RFCs for the types that have one. */
static bool data_len_valid(uint16_t type, size_t len)
{
	switch (type) {
	case N_INVALID_KE_PAYLOAD:
		return len == 2;
	case N_NAT_DETECTION_SOURCE_IP:
	case N_NAT_DETECTION_DESTINATION_IP:
		return len == NATD_HASH_LEN;
	case N_INVALID_SYNTAX:
	case N_INVALID_MAJOR_VERSION:
	case N_NO_PROPOSAL_CHOSEN:
		return len == 0;
	case N_ADDITIONAL_IP4_ADDRESS:
	case N_AUTH_LIFETIME:
		return len == 4;
	case N_ADDITIONAL_IP6_ADDRESS:
		return len == 16;
	case N_IPCOMP_SUPPORTED:
		return len == 3;
	case N_COOKIE:
		return len >= 1 && len <= 64;
	case N_SIGNATURE_HASH_ALGORITHMS:
		return len % 2 == 0;
	default:
		return true;
	}
}

int payload_notify_validate(const uint8_t *body, size_t len)
{
	uint8_t spi_size;

	if (len < NOTIFY_HEADER_LEN)
		return -1;
	if (body[0] > PROTO_ESP)
		return -1;
	spi_size = body[1];
	if (spi_size > len - NOTIFY_HEADER_LEN)
		return -1;
	return data_len_valid(get16(body + 2), len - NOTIFY_HEADER_LEN - spi_size) ?
	       0 : -1;
}

void payload_notify_parse(const uint8_t *body, size_t len,
			  struct notify_payload *n)
{
	n->protocol = body[0];
	n->spi_size = body[1];
	n->type = get16(body + 2);
	n->spi = body + NOTIFY_HEADER_LEN;
	n->data = n->spi + n->spi_size;
	n->len = len - NOTIFY_HEADER_LEN - n->spi_size;
}

void payload_notify_write(struct msg_builder *b, const struct notify_payload *n)
{
	builder_begin(b, PL_NOTIFY, false);
	wbuf_put8(&b->w, n->protocol);
	wbuf_put8(&b->w, n->spi_size);
	wbuf_put16(&b->w, n->type);
	wbuf_put(&b->w, n->spi, n->spi_size);
	wbuf_put(&b->w, n->data, n->len);
	builder_end(b);
}
