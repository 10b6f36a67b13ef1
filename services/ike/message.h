/* IKEv2 messages (RFC 7296 3.1-3.2): the header, the chain of generic
 * payload headers and charon's one-line summary
 * ("IKE_SA_INIT request 0 [ SA KE No N(FRAG_SUP) ... ]").  Parsing
 * validates every known payload before anyone reads it. */
#ifndef CYGNET_IKE_MESSAGE_H
#define CYGNET_IKE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/payload.h"
#include "ike/wire.h"

#define IKE_HEADER_LEN 28
#define IKE_MAJOR_VERSION 2
#define MESSAGE_MAX_PAYLOADS 128
/* Largest IKE message we accept (UDP datagram or reassembled). */
#define MESSAGE_MAX_LEN 65535

enum exchange_type {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	CREATE_CHILD_SA = 36,
	INFORMATIONAL = 37,
};

#define FLAG_INITIATOR 0x08
#define FLAG_VERSION 0x10
#define FLAG_RESPONSE 0x20

struct ike_header {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	uint8_t next_payload;
	uint8_t version;	/* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;
};

struct payload {
	uint8_t type;
	bool critical;
	const uint8_t *body;	/* after the generic header */
	size_t len;
};

struct ike_message {
	struct ike_header hdr;
	size_t n_payloads;
	struct payload payloads[MESSAGE_MAX_PAYLOADS];
	/* The SK or SKF payload (always last in the outer chain) and the
	 * type of the first payload inside it. */
	const struct payload *encrypted;
	uint8_t inner_next;
	/* The type of an unknown critical payload that failed the parse. */
	uint8_t unsupported_critical;
};

enum parse_status {
	PARSE_OK = 0,
	PARSE_MALFORMED,		/* answer INVALID_SYNTAX (if at all) */
	PARSE_INVALID_MAJOR,		/* answer INVALID_MAJOR_VERSION */
	PARSE_UNSUPPORTED_CRITICAL,	/* answer UNSUPPORTED_CRITICAL_PAYLOAD */
};

enum parse_status message_parse_header(const uint8_t *data, size_t len,
				       struct ike_header *hdr);
/* Header and outer payload chain; payload bodies point into data. */
enum parse_status message_parse(const uint8_t *data, size_t len,
				struct ike_message *msg);
/* Replaces the payload list with the decrypted chain inside SK. */
enum parse_status message_parse_inner(struct ike_message *msg,
				      const uint8_t *plain, size_t len);

const struct payload *message_find(const struct ike_message *msg,
				   uint8_t type);
/* The notify of a type, or NULL. */
const struct payload *message_find_notify(const struct ike_message *msg,
					  uint16_t type);

bool message_is_request(const struct ike_header *hdr);
const char *exchange_name(uint8_t exchange);	/* "IKE_SA_INIT" */

/* "IKE_SA_INIT request 0 [ SA KE No N(FRAG_SUP) V ]" */
void message_summary(const struct ike_message *msg, char *buf, size_t len);

/* Building a message or an inner (to be encrypted) chain. */
struct msg_builder {
	struct wbuf w;
	bool has_header;
	size_t next_field;	/* offset of the next-payload octet to patch */
	uint8_t first_type;	/* first payload of a header-less chain */
	size_t payload_start;
};

void builder_init(struct msg_builder *b, uint8_t *buf, size_t cap,
		  const struct ike_header *hdr);
void builder_init_chain(struct msg_builder *b, uint8_t *buf, size_t cap);
/* Starts a payload: links it into the chain, writes its generic header. */
void builder_begin(struct msg_builder *b, uint8_t type, bool critical);
void builder_end(struct msg_builder *b);
/* Starts the SK or SKF payload, which must come last: its next-payload
 * field names the first payload inside it. */
void builder_begin_encrypted(struct msg_builder *b, uint8_t type,
			     uint8_t inner_first);
/* Sets the header's length; returns the message length, or 0 when the
 * buffer was too small. */
size_t builder_finish(struct msg_builder *b);

#endif
